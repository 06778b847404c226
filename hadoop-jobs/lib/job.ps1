# Runs a job on a Hadoop cluster with Hadoop Streaming, as described by a job
# descriptor (jobs/NAME.job), then prints its part-* results on stdout.
# Called by the job scripts (logcount.ps1); its bash twin is job.sh.
#
# Usage: job.ps1 -Descriptor FILE -ScriptName NAME [OPTIONS]   (see usage below)
param(
    [string]$Descriptor,
    [string]$ScriptName,
    [string[]]$InputPath = @(),
    [string]$OutputPath = '',
    [string]$Reducers = '1',
    [string[]]$D = @(),
    [switch]$Force,
    [switch]$SkipTrash,
    [string]$Logmr = '',
    [string]$Year = '',
    [switch]$Help
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'common.ps1')
$job = Read-Descriptor $Descriptor
$jobName = [IO.Path]::GetFileNameWithoutExtension($Descriptor)

function Show-Usage {
    @"
Usage: $ScriptName [OPTIONS]

Runs the $jobName job on a Hadoop cluster with Hadoop Streaming,
then prints its result (the part-* files) on stdout.

  -InputPath PATH[,PATH...]  HDFS input: files, directories or globs
                             [default: $($job['input'])]
  -OutputPath PATH           HDFS output directory [default: $($job['output'])]
  -Reducers N                number of reduce tasks [default: 1]
  -D KEY=VALUE[,KEY=VALUE...]  Hadoop settings, e.g. -D mapreduce.job.queuename=etl.
                             The job's shape is four of them, which yours override:
                             mapreduce.job.inputformat.class [CombineTextInputFormat],
                             mapreduce.input.fileinputformat.split.maxsize [268435456],
                             mapreduce.job.ubertask.enable [true] and
                             stream.map.input.ignoreKey [true]; directories
                             are read recursively
                             (mapreduce.input.fileinputformat.input.dir.recursive)
  -Force                     replace the output directory if it exists (moved to the
                             HDFS trash when the cluster has one); an output that is
                             /, or equals, holds or lies inside an input is refused
  -SkipTrash                 with -Force, delete the old output at once instead
  -Year YYYY                 the year of timestamps that have none (syslog, logcat),
                             for time keys: logmr map --year [default: the current
                             year where each task runs]
  -Logmr PATH                the logmr.exe to ship with -files [default: `$env:LOGMR_BIN,
                             this checkout's portable build (bash mr/build-portable.sh:
                             x86_64 Linux, glibc 2.17 and newer; not on Windows), its
                             target\release\logmr.exe, or logmr.exe on PATH]
  -Help                      this help

The streaming jar is `$env:HADOOP_STREAMING_JAR, else
`$env:HADOOP_HOME\share\hadoop\tools\lib\hadoop-streaming-*.jar. The hadoop
command is the one on PATH, else `$env:HADOOP_HOME\bin\hadoop.cmd.

Exit codes: 0 success, 1 the job failed, 2 bad arguments or setup.
"@
}

if ($Help) { Show-Usage; exit 0 }
$inputs = $InputPath
if (-not $OutputPath) { $OutputPath = $job['output'] }
if ($inputs.Count -eq 0) { $inputs = @($job['input']) }
if ($Reducers -notmatch '^[1-9][0-9]*$') { Fail 2 "-Reducers must be a positive number, not '$Reducers'" }

$logmrPath = Find-Logmr $Logmr
Add-Year $job $Year $logmrPath
# Generic options for every hadoop call: the job, and the fs calls that test,
# delete and read its output, so that all of them go to one cluster.
$generic = @()
foreach ($define in $D) { $generic += @('-D', $define) }
# The paths as Hadoop resolves them, and the output refused when it could be
# an input: logmr paths holds the rules, tested against Hadoop's.
$user = $env:HADOOP_USER_NAME
if (-not $user) { $user = [Environment]::UserName }
& $logmrPath paths --home "/user/$user" --output $OutputPath @generic -- @inputs | Out-Null
if ($LASTEXITCODE -ne 0) { Fail 2 'refused before anything was deleted or submitted' }
# Each task command, run here on no input with the job's settings as a task
# gets them: a setting a task would refuse stops the job before it is
# submitted. Its bash twin is in job.sh.
$taskEnv = [ordered]@{}
foreach ($define in $D) {
    $taskEnv[($define.Substring(0, $define.IndexOf('=')) -creplace '[^A-Za-z0-9]', '_')] = $define.Substring($define.IndexOf('=') + 1)
}
foreach ($name in $taskEnv.Keys) { [Environment]::SetEnvironmentVariable($name, $taskEnv[$name]) }
try {
    foreach ($role in 'mapper', 'combiner', 'reducer') {
        if (-not $job[$role]) { continue }
        $words = @($logmrPath)
        if ($job[$role] -ne 'logmr') { $words += $job[$role].Substring(6) -split ' ' }
        $null | & $words[0] @($words | Select-Object -Skip 1) | Out-Null
        if ($LASTEXITCODE -ne 0) { Fail 2 "the $role ($($job[$role])) refuses the job's settings; nothing was submitted" }
    }
} finally {
    foreach ($name in $taskEnv.Keys) { [Environment]::SetEnvironmentVariable($name, $null) }
}
[Console]::Error.WriteLine("${ScriptName}: shipping $logmrPath ($(Get-LogmrBuild $logmrPath))")
$program = Split-Path -Leaf $logmrPath

$jar = $env:HADOOP_STREAMING_JAR
if (-not $jar) {
    if (-not $env:HADOOP_HOME) { Fail 2 'no streaming jar: set HADOOP_STREAMING_JAR to hadoop-streaming-*.jar, or HADOOP_HOME' }
    $jars = @(Get-ChildItem -Path (Join-Path $env:HADOOP_HOME 'share/hadoop/tools/lib') -Filter 'hadoop-streaming-*.jar' -ErrorAction SilentlyContinue | Sort-Object Name)
    if ($jars.Count -eq 0) { Fail 2 "no streaming jar: $env:HADOOP_HOME\share\hadoop\tools\lib\hadoop-streaming-*.jar matches nothing; set HADOOP_STREAMING_JAR" }
    $jar = $jars[-1].FullName
}
if (-not (Test-Path -LiteralPath $jar -PathType Leaf)) { Fail 2 "streaming jar $jar does not exist" }

$hadoop = (Get-Command hadoop -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
if (-not $hadoop -and $env:HADOOP_HOME) { $hadoop = Join-Path $env:HADOOP_HOME 'bin/hadoop.cmd' }
if (-not $hadoop -or -not (Test-Path -LiteralPath $hadoop -PathType Leaf)) {
    Fail 2 'no hadoop command on PATH or in $env:HADOOP_HOME\bin'
}

& $hadoop fs @generic -test -e $OutputPath
if ($LASTEXITCODE -eq 0) {
    if (-not $Force) { Fail 2 "output $OutputPath already exists; pass -Force to replace it" }
    $remove = @('fs') + $generic + @('-rm', '-r')
    if ($SkipTrash) { $remove += '-skipTrash' }
    [Console]::Error.WriteLine("${ScriptName}: replacing the existing output ${OutputPath}: $hadoop $($remove -join ' ') $OutputPath")
    & $hadoop @remove $OutputPath 2>&1 | ForEach-Object { [Console]::Error.WriteLine($_) }
    if ($LASTEXITCODE -ne 0) { Fail 1 "could not delete $OutputPath" }
}

# The job's shape (few large map tasks, uber mode for tiny inputs, lines
# without offsets, directories read recursively), a -D of the user's after
# it; why, in its bash twin job.sh.
$inputFormat = 'org.apache.hadoop.mapred.lib.CombineTextInputFormat'
$jobOptions = @('-D', 'mapreduce.input.fileinputformat.split.maxsize=268435456', '-D', 'mapreduce.job.ubertask.enable=true', '-D', 'stream.map.input.ignoreKey=true', '-D', 'mapreduce.input.fileinputformat.input.dir.recursive=true')
foreach ($define in $D) {
    if ($define -match '^(mapreduce\.job\.inputformat\.class|mapred\.input\.format\.class)=(.*)$') { $inputFormat = $Matches[2] }
    else { $jobOptions += @('-D', $define) }
}

# Generic options (-D, -files) come before the streaming options: Hadoop
# rejects them after.
$hadoopArgs = @('jar', $jar) + $jobOptions
$hadoopArgs += @('-D', "mapreduce.job.name=logmr $jobName")
$hadoopArgs += @('-files', $logmrPath)
$hadoopArgs += @('-inputformat', $inputFormat)
foreach ($path in $inputs) {
    $hadoopArgs += @('-input', $path)
}
$hadoopArgs += @('-output', $OutputPath)
$hadoopArgs += @('-mapper', (Get-TaskCommand $job['mapper'] $program))
if ($job['combiner']) { $hadoopArgs += @('-combiner', (Get-TaskCommand $job['combiner'] $program)) }
$hadoopArgs += @('-reducer', (Get-TaskCommand $job['reducer'] $program))
$hadoopArgs += @('-numReduceTasks', $Reducers)

$log = New-TemporaryFile
try {
    [Console]::Error.WriteLine("${ScriptName}: running $hadoop $($hadoopArgs -join ' ')")
    & $hadoop @hadoopArgs 2>&1 | Tee-Object -FilePath $log | ForEach-Object { [Console]::Error.WriteLine($_) }
    $status = $LASTEXITCODE
    if ($status -ne 0) {
        switch ($status) {
            1 {
                # StreamJob exits 1 both for a job that ran and failed and for
                # arguments it rejects before any job exists; its log tells.
                if (Select-String -LiteralPath $log -Quiet -Pattern 'Job not successful|completed with state (FAILED|KILLED)|failed with state (FAILED|KILLED)') {
                    $reason = 'the job ran and failed: a task failed more often than allowed'
                } else {
                    $reason = 'hadoop exited with code 1 before any job ran; see its messages above'
                }
            }
            2 { $reason = 'bad input path' }
            3 { $reason = 'invalid job configuration' }
            4 { $reason = 'the output directory already exists' }
            5 { $reason = 'the job could not be launched' }
            default { $reason = "hadoop exited with code $status" }
        }
        $application = Select-String -LiteralPath $log -Pattern 'application_[0-9]*_[0-9]*' | Select-Object -First 1
        if ($application) {
            $reason = "$reason; the task logs: yarn logs -applicationId $($application.Matches[0].Value)"
        }
        Fail 1 "the Hadoop job failed ($reason)"
    }
} finally {
    Remove-Item -LiteralPath $log -ErrorAction SilentlyContinue
}

$result = & $hadoop fs @generic -cat "$OutputPath/part-*"
if ($LASTEXITCODE -ne 0) { Fail 1 "the job succeeded but its output $OutputPath/part-* could not be read" }
Invoke-After $job $logmrPath $result
