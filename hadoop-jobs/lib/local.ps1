# Runs a job on this machine the way Hadoop Streaming runs it, as described
# by a job descriptor (jobs/NAME.job): one map task per input file, its output
# sorted by key and combined, then one sort by key and the reducer. Called by
# the local job scripts (logcount-local.ps1); its bash twin is local.sh.
#
# Usage: local.ps1 -Descriptor FILE -ScriptName NAME [OPTIONS] [INPUT...]   (see usage below)
[CmdletBinding(PositionalBinding = $false)]
param(
    [string]$Descriptor,
    [string]$ScriptName,
    [string]$OutputPath = '',
    [string[]]$D = @(),
    [switch]$Force,
    [string]$Logmr = '',
    [string]$Year = '',
    [switch]$Help,
    [Parameter(Position = 0, ValueFromRemainingArguments = $true)][string[]]$Inputs = @()
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'common.ps1')
$job = Read-Descriptor $Descriptor
$jobName = [IO.Path]::GetFileNameWithoutExtension($Descriptor)

function Show-Usage {
    @"
Usage: $ScriptName [OPTIONS] [INPUT...]

Runs the $jobName job on this machine as Hadoop runs it: one map task
per input file, its output sorted by key and combined, then a sort by key
(ordinal) and the reducer. The result goes to stdout.

INPUT is a file or a directory, whose files are read recursively except
names starting with _ or . (Hadoop skips those too). .gz files are
decompressed. Without INPUT, standard input is the one map task's input.

  -OutputPath DIR            write the result to DIR\part-00000 instead of stdout;
                             DIR must not exist unless -Force
  -D KEY=VALUE[,KEY=VALUE...]  Hadoop settings (dotted names such as
                             stream.map.output.field.separator), passed to the tasks
                             as Hadoop passes them: environment variables named KEY
                             with every byte but letters and digits turned into _
  -Force                     replace the output directory if it exists; an output that
                             is /, or equals, holds or lies inside an input is refused
  -Year YYYY                 the year of timestamps that have none (syslog, logcat),
                             for time keys: logmr map --year [default: the current
                             year where each task runs]
  -Logmr PATH                the logmr binary [default: `$env:LOGMR_BIN, this checkout's
                             portable build (not on Windows), its
                             target\release\logmr.exe, or logmr.exe on PATH]
  -Help                      this help

Exit codes: 0 success, 1 a task failed, 2 bad arguments or setup.
"@
}

if ($Help) { Show-Usage; exit 0 }

$logmrPath = Find-Logmr $Logmr
Add-Year $job $Year $logmrPath
$separator = "`t"
# The settings, set in this process's environment only while the tasks run
# (PowerShell starts them as its children); a setting is a dotted name, so
# it can never be PATH or another variable the script itself relies on.
$taskEnv = [ordered]@{}
# The settings Hadoop would take (logmr paths holds the rule: KEY=VALUE,
# and no variable the system reads, such as LD.PRELOAD -> LD_PRELOAD).
$generic = @()
foreach ($define in $D) { $generic += @('-D', $define) }
& $logmrPath paths @generic | Out-Null
if ($LASTEXITCODE -ne 0) { Fail 2 'refused before anything ran' }
foreach ($define in $D) {
    $key = $define.Substring(0, $define.IndexOf('='))
    if ($key -cnotmatch '^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$') {
        Fail 2 "-D takes a Hadoop setting, a dotted name such as stream.map.output.field.separator, not '$key'"
    }
    $taskEnv[($key -creplace '[^A-Za-z0-9]', '_')] = $define.Substring($define.IndexOf('=') + 1)
    if ($key -eq 'stream.map.output.field.separator') { $separator = $define.Substring($define.IndexOf('=') + 1) }
}

# The files of a directory, recursively, without names starting with _ or .
# and without links (reparse points) inside it, as logmr run reads it.
function Get-InputFiles([string]$Dir) {
    foreach ($item in Get-ChildItem -LiteralPath $Dir -Force | Sort-Object Name) {
        if ($item.Name.StartsWith('_') -or $item.Name.StartsWith('.')) { continue }
        if ($item.Attributes -band [IO.FileAttributes]::ReparsePoint) { continue }
        if ($item.PSIsContainer) { Get-InputFiles $item.FullName } else { $item.FullName }
    }
}

$listed = @()
foreach ($path in $Inputs) {
    if (Test-Path -LiteralPath $path -PathType Container) {
        $listed += @(Get-InputFiles $path)
    } elseif ((Test-Path -LiteralPath $path -PathType Leaf) -or $path -eq '-') {
        $listed += $path
    } else {
        Fail 2 "input $path is not a file or a directory"
    }
}
if ($Inputs.Count -eq 0) { $listed = @('-') }
# Each file once, however many paths name it (its resolved full path).
$files = @()
$firstPath = @{}
foreach ($file in $listed) {
    if ($file -eq '-') { $files += $file; continue }
    $item = Get-Item -LiteralPath $file -Force
    $target = @($item.Target)[0]
    $id = if ($target) { [IO.Path]::GetFullPath([IO.Path]::Combine($item.DirectoryName, $target)) } else { $item.FullName }
    if ($firstPath.ContainsKey($id)) {
        [Console]::Error.WriteLine("${ScriptName}: warning: $file is the same file as $($firstPath[$id]); it is read once")
    } else {
        $firstPath[$id] = $file
        $files += $file
    }
}
if ($files.Count -eq 0) { [Console]::Error.WriteLine("${ScriptName}: warning: the inputs hold no files to read; the result is empty") }

if ($OutputPath) { Assert-NoLocalOverlap $OutputPath $Inputs }

if ($OutputPath -and (Test-Path -LiteralPath $OutputPath)) {
    if (-not $Force) { Fail 2 "output $OutputPath already exists; pass -Force to replace it" }
    Remove-Item -LiteralPath $OutputPath -Recurse -Force
}

# A task's command as words, with logmr the one word $logmrPath however
# many spaces its path holds; the descriptor's own words hold none.
function Get-TaskWords([string]$Command) {
    if ($Command -eq 'logmr') { return ,@($logmrPath) }
    if ($Command.StartsWith('logmr ')) { return ,(@($logmrPath) + ($Command.Substring(6) -split ' ')) }
    return ,($Command -split ' ')
}
$mapper = Get-TaskWords $job['mapper']
$combiner = @()
if ($job['combiner']) { $combiner = Get-TaskWords $job['combiner'] }
$reducer = Get-TaskWords $job['reducer']
# Lines in ordinal order of their keys (the text up to the separator), which
# is byte order for ASCII keys, as LC_ALL=C sort gives.
function Sort-ByKey([string[]]$Lines) {
    $keys = [string[]]@($Lines | ForEach-Object { $_.Split("`t", 2)[0] })
    $sorted = [string[]]@($Lines)
    [Array]::Sort($keys, $sorted, [StringComparer]::Ordinal)
    return $sorted
}
# Invoke-Task COMMAND LINES: the command's output lines, LINES on its stdin.
function Invoke-Task([string[]]$Command, [string[]]$Lines) {
    if ($Command.Count -eq 0) { return $Lines }
    $rest = @()
    if ($Command.Count -gt 1) { $rest = $Command[1..($Command.Count - 1)] }
    $out = $Lines | & $Command[0] @rest
    if ($LASTEXITCODE -ne 0) { throw "$($Command -join ' ') exited with code $LASTEXITCODE" }
    return $out
}

$tasks = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ([IO.Path]::GetRandomFileName()))
$task = 0
$mapped = @()
foreach ($name in $taskEnv.Keys) { [Environment]::SetEnvironmentVariable($name, $taskEnv[$name]) }
try {
    foreach ($file in $files) {
        try {
            $rest = @()
            if ($mapper.Count -gt 1) { $rest = $mapper[1..($mapper.Count - 1)] }
            # PowerShell has no `<`: the mapper (logmr map) reads the file it is given.
            if ($file -eq '-') {
                $out = & $mapper[0] @rest
            } elseif ($file.EndsWith('.gz')) {
                $plain = Join-Path $tasks "input-$task"
                $source = [IO.File]::OpenRead($file)
                $target = [IO.File]::Create($plain)
                try {
                    $gzip = New-Object IO.Compression.GZipStream($source, [IO.Compression.CompressionMode]::Decompress)
                    $gzip.CopyTo($target)
                } finally {
                    $target.Dispose(); $source.Dispose()
                }
                $out = & $mapper[0] @rest $plain
            } else {
                $out = & $mapper[0] @rest $file
            }
            if ($LASTEXITCODE -ne 0) { throw "the mapper exited with code $LASTEXITCODE" }
            # Hadoop splits each map output line at the first separator and
            # hands the combiner and reducer KEY<TAB>VALUE.
            if ($separator -ne "`t") {
                $out = @($out | ForEach-Object { $at = $_.IndexOf($separator); if ($at -ge 0) { $_.Substring(0, $at) + "`t" + $_.Substring($at + $separator.Length) } else { $_ } })
            }
            $mapped += @(Invoke-Task $combiner (Sort-ByKey @($out)))
        } catch {
            Fail 1 "the map task for $file failed: $_"
        }
        $task += 1
    }

    try {
        $result = @(Invoke-Task $reducer (Sort-ByKey $mapped))
    } catch {
        Fail 1 "the reduce task failed: $_"
    }
    if ($OutputPath) {
        New-Item -ItemType Directory -Path $OutputPath -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $OutputPath 'part-00000') -Value $result
        Set-Content -LiteralPath (Join-Path $OutputPath '_SUCCESS') -Value @()
        [Console]::Error.WriteLine("${ScriptName}: map tasks: $task; the result is in $(Join-Path $OutputPath 'part-00000')")
    } else {
        Invoke-After $job $logmrPath $result
    }
} finally {
    foreach ($name in $taskEnv.Keys) { [Environment]::SetEnvironmentVariable($name, $null) }
    Remove-Item -LiteralPath $tasks -Recurse -Force -ErrorAction SilentlyContinue
}
