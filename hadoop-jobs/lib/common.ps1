# Shared by the job scripts: messages, job descriptors, finding logmr.
# Dot-sourced, not run. Its bash twin is common.sh. Written for PowerShell 7
# and parseable by Windows PowerShell 5, so that 5 gets the message below.

# The name messages start with; the job scripts set it to their own.
if (-not $ScriptName) { $ScriptName = Split-Path -Leaf $MyInvocation.PSCommandPath }
# The repository root, for this checkout's release build.
$RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
# The binary's file name ends in .exe on Windows.
$Exe = ''
if ($IsWindows) { $Exe = '.exe' }

# Fail CODE MESSAGE: print "SCRIPT: MESSAGE" on stderr and exit with CODE.
function Fail([int]$Code, [string]$Message) {
    [Console]::Error.WriteLine("${ScriptName}: $Message")
    exit $Code
}

# Windows PowerShell 5 turns the bytes of native-command pipes into text and
# back, which corrupts them.
if ($PSVersionTable.PSVersion.Major -lt 7) {
    Fail 2 "PowerShell 7 (pwsh) is required; Windows PowerShell $($PSVersionTable.PSVersion) corrupts native-command pipes. Run: pwsh -File $ScriptName"
}

# Read-Descriptor FILE: the descriptor's KEY=VALUE lines as a hashtable.
function Read-Descriptor([string]$File) {
    if (-not (Test-Path -LiteralPath $File -PathType Leaf)) {
        $names = (Get-ChildItem -Path (Split-Path -Parent $File) -Filter *.job).BaseName -join ' '
        Fail 2 "no job descriptor $File; the jobs are: $names"
    }
    $job = @{}
    foreach ($line in Get-Content -LiteralPath $File) {
        $line = $line.TrimEnd("`r")
        if ($line -eq '' -or $line.StartsWith('#')) { continue }
        if (-not $line.Contains('=')) { Fail 2 "${File}: not KEY=VALUE: $line" }
        $job[$line.Substring(0, $line.IndexOf('='))] = $line.Substring($line.IndexOf('=') + 1)
    }
    foreach ($key in 'mapper', 'reducer', 'input', 'output') {
        if (-not $job[$key]) { Fail 2 "${File}: no $key=" }
    }
    return $job
}

# Find-Logmr [PATH]: the logmr binary to use: PATH when given, else
# $env:LOGMR_BIN, else this checkout's release build, else logmr on PATH.
function Find-Logmr([string]$Path) {
    if (-not $Path) { $Path = $env:LOGMR_BIN }
    if (-not $Path) {
        $built = Join-Path $RepoRoot "target/release/logmr$Exe"
        if (Test-Path -LiteralPath $built -PathType Leaf) {
            $Path = $built
        } else {
            $found = Get-Command "logmr$Exe" -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
            if (-not $found) { Fail 2 "no logmr binary: build it with 'cargo build --release -p logmr', or pass -Logmr PATH" }
            $Path = $found.Source
        }
    }
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { Fail 2 "logmr binary $Path is not an executable file" }
    return (Resolve-Path -LiteralPath $Path).Path
}

# Get-TaskCommand COMMAND PROGRAM: COMMAND with its leading `logmr` replaced
# by PROGRAM.
function Get-TaskCommand([string]$Command, [string]$Program) {
    if ($Command -eq 'logmr') { return $Program }
    if ($Command.StartsWith('logmr ')) { return "$Program $($Command.Substring(6))" }
    return $Command
}
