# Shared by the job scripts: messages, job descriptors, finding logmr.
# Dot-sourced, not run. Its bash twin is common.sh. Written for PowerShell 7
# and parseable by Windows PowerShell 5, so that 5 gets the message below.

# The name messages start with; the job scripts set it to their own.
if (-not $ScriptName) { $ScriptName = Split-Path -Leaf $MyInvocation.PSCommandPath }
# The repository root, for this checkout's release build.
$RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
# The job descriptors: a descriptor is one of these, never a path elsewhere.
$JobsDir = (Resolve-Path (Join-Path $PSScriptRoot '../jobs')).Path
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

# Write-JobsUsage: the usage of a script that runs any job (job.ps1 NAME
# ...), with each job and the first line of its descriptor.
function Write-JobsUsage {
    $script = ($ScriptName -split ' ')[0]
    Write-Output "Usage: $script NAME [OPTIONS]"
    Write-Output ''
    Write-Output "Runs the job NAME, described by hadoop-jobs/jobs/NAME.job. '$script NAME -Help'"
    Write-Output 'lists its options. The jobs:'
    Write-Output ''
    foreach ($file in Get-ChildItem -LiteralPath $JobsDir -Filter *.job) {
        $about = ((Get-Content -LiteralPath $file.FullName -TotalCount 1) -replace '^# *', '')
        Write-Output ('  {0,-18} {1}' -f $file.BaseName, $about)
    }
    Write-Output ''
    Write-Output 'Exit codes: 0 success, 1 the job failed, 2 bad arguments or setup.'
}

# Read-Descriptor FILE: the descriptor's KEY=VALUE lines as a hashtable.
# A NAME of -h, -Help or --help prints the list of jobs and exits 0.
function Read-Descriptor([string]$File) {
    if ([IO.Path]::GetFileNameWithoutExtension($File) -in '-h', '-Help', '--help') {
        Write-JobsUsage
        exit 0
    }
    $inJobs = (Test-Path -LiteralPath $File -PathType Leaf) -and
        ((Resolve-Path -LiteralPath (Split-Path -Parent $File)).Path -eq $JobsDir)
    if (-not $inJobs) {
        $names = (Get-ChildItem -LiteralPath $JobsDir -Filter *.job).BaseName -join ' '
        $name = [IO.Path]::GetFileNameWithoutExtension($File)
        $given = if ($name) { "no job $name; " } else { '' }
        Fail 2 "${given}the jobs are: $names (see -Help)"
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

# The portable build of logmr (mr/build-portable.sh): x86_64 Linux, glibc
# 2.17 and newer, so every node of a cluster can run it.
$PortableLogmr = Join-Path $RepoRoot 'target/x86_64-unknown-linux-gnu/release/logmr'

# Add-Year YEAR LOGMR: the mapper gets --year YEAR when YEAR is given,
# after LOGMR's map has taken it (it refuses a year of other than four
# digits, with its reason).
function Add-Year([hashtable]$Job, [string]$Year, [string]$Logmr) {
    if (-not $Year) { return }
    $null = '' | & $Logmr map --year $Year
    if ($LASTEXITCODE -ne 0) { Fail 2 "-Year $Year is refused by logmr map (above)" }
    $Job['mapper'] = "$($Job['mapper']) --year $Year"
}

# Find-Logmr [PATH]: the logmr binary to use: PATH when given, else
# $env:LOGMR_BIN, else this checkout's portable build (off Windows), else its
# release build, else logmr on PATH.
function Find-Logmr([string]$Path) {
    if (-not $Path) { $Path = $env:LOGMR_BIN }
    if (-not $Path) {
        $built = Join-Path $RepoRoot "target/release/logmr$Exe"
        if (-not $IsWindows -and (Test-Path -LiteralPath $PortableLogmr -PathType Leaf)) {
            # Refused when the sources changed after it was built: it would
            # ship old code. Its bash twin is older_than_sources.
            $built_at = (Get-Item -LiteralPath $PortableLogmr).LastWriteTime
            $sources = @(Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'mr/src') -Recurse -File) +
                @(Get-Item -LiteralPath (Join-Path $RepoRoot 'mr/Cargo.toml'), (Join-Path $RepoRoot 'Cargo.lock'))
            if ($sources | Where-Object { $_.LastWriteTime -gt $built_at } | Select-Object -First 1) {
                Fail 2 "the portable build $PortableLogmr is older than the sources in mr/: rebuild it (bash mr/build-portable.sh), or pass -Logmr PATH"
            }
            $Path = $PortableLogmr
        } elseif (Test-Path -LiteralPath $built -PathType Leaf) {
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

# Assert-NoLocalOverlap OUTPUT INPUTS: exits 2 unless the local directory
# OUTPUT is safe to replace: not the root, and neither equal to, inside, nor
# holding any input, so that -Force can never delete input. Its bash twin
# is refuse_local_overlap in common.sh (cluster jobs: logmr paths).
function Assert-NoLocalOverlap([string]$Output, [string[]]$Inputs) {
    $out = [IO.Path]::GetFullPath($Output).TrimEnd([IO.Path]::DirectorySeparatorChar, [IO.Path]::AltDirectorySeparatorChar)
    if ($out -eq '') { $out = '/' }
    if ($out -eq '/' -or $out -eq [IO.Path]::GetPathRoot($out)) { Fail 2 "output $Output is the root directory: give the job a directory of its own" }
    foreach ($path in $Inputs) {
        if ($path -eq '-') { continue }
        $in = (Get-Item -LiteralPath $path -ErrorAction SilentlyContinue)
        $in = if ($in -and $in.LinkTarget) { [IO.Path]::GetFullPath($in.LinkTarget, (Split-Path -Parent $in.FullName)) } else { [IO.Path]::GetFullPath($path) }
        $in = $in.TrimEnd([IO.Path]::DirectorySeparatorChar, [IO.Path]::AltDirectorySeparatorChar)
        $sep = [IO.Path]::DirectorySeparatorChar
        if (-not ($in -eq $out -or $in.StartsWith("$out$sep") -or $out.StartsWith("$in$sep"))) { continue }
        Fail 2 "output $Output overlaps the input $path (the same path, or one inside the other); it would be replaced or counted: choose another output"
    }
}

# Get-LogmrBuild PATH: which build of logmr PATH is, for the line that says
# what a job ships.
function Get-LogmrBuild([string]$Path) {
    if ((Test-Path -LiteralPath $PortableLogmr -PathType Leaf) -and
        (Resolve-Path -LiteralPath $Path).Path -eq (Resolve-Path -LiteralPath $PortableLogmr).Path) {
        return 'the portable build: x86_64 Linux, glibc 2.17 or newer'
    }
    return 'not the portable build: nodes need the glibc it was built against; bash mr/build-portable.sh builds one for glibc 2.17'
}

# Invoke-After JOB PROGRAM LINES: the descriptor's after= command, a step run
# here over the job's result lines (logmr templates learns from the job's
# table); the lines as they are when it has none.
function Invoke-After([hashtable]$Job, [string]$Program, [string[]]$Lines) {
    if (-not $Job['after']) { return $Lines }
    $words = @($Job['after'] -split ' ')
    $rest = @()
    if ($words.Count -gt 1) { $rest = $words[1..($words.Count - 1)] }
    if ($words[0] -eq 'logmr') { $words[0] = $Program }
    $out = $Lines | & $words[0] @rest
    if ($LASTEXITCODE -ne 0) { Fail 1 "the step after the job ($($Job['after'])) exited with code $LASTEXITCODE" }
    return $out
}

# Get-TaskCommand COMMAND PROGRAM: COMMAND with its leading `logmr` replaced
# by PROGRAM.
function Get-TaskCommand([string]$Command, [string]$Program) {
    if ($Command -eq 'logmr') { return $Program }
    if ($Command.StartsWith('logmr ')) { return "$Program $($Command.Substring(6))" }
    return $Command
}
