# Runs a job on Spark, as described by a job descriptor (jobs/NAME.job):
# spark-submit with spark/job.py, which pipes each input partition through
# the descriptor's `logmr map ...` and sums per key. Called by
# spark-job.ps1; its bash twin is spark.sh.
#
# Usage: spark.ps1 -Descriptor FILE -ScriptName NAME [OPTIONS]   (see usage below)
param(
    [string]$Descriptor,
    [string]$ScriptName,
    [string[]]$InputPath = @(),
    [string]$OutputPath = '',
    [string]$Partitions = '',
    [string]$Master = '',
    [string[]]$Conf = @(),
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

Runs the $jobName job on Spark with the logmr binary the Hadoop job
ships: each input partition piped through ``$($job['mapper'])``, the counts
summed per key, the result (KEY<TAB>COUNT lines, sorted by key bytes, equal
to the Hadoop job's and to logmr run's) printed on stdout.

  -InputPath PATH[,PATH...]  files, directories (read recursively), globs or comma
                             lists, local or hdfs://; .gz and .bz2 are read as
                             Hadoop reads them
                             [default: $($job['input'])]
  -OutputPath DIR            also write the result to DIR (part-00000); DIR must
                             not exist
  -Partitions N              at least N input partitions [default: one per block]
  -Master URL                where Spark runs: local[*], yarn, spark://HOST:PORT
                             [default: `$env:SPARK_MASTER, else local[*]]
  -Conf KEY=VALUE[,...]      Spark settings for spark-submit
  -Year YYYY                 the year of timestamps that have none (syslog, logcat),
                             for time keys: logmr map --year [default: the current
                             year where each task runs]
  -Logmr PATH                the logmr binary, shipped to the executors [default:
                             `$env:LOGMR_BIN, this checkout's portable build, its
                             target\release\logmr.exe, or logmr.exe on PATH]
  -Help                      this help

spark-submit is `$env:SPARK_HOME\bin\spark-submit.cmd, else the one on PATH.

Exit codes: 0 success, 1 the job failed, 2 bad arguments or setup.
"@
}

if ($Help) { Show-Usage; exit 0 }
if (-not $Master) { $Master = if ($env:SPARK_MASTER) { $env:SPARK_MASTER } else { 'local[*]' } }
$jobArgs = @()
$inputs = $InputPath
if ($inputs.Count -eq 0) { $inputs = @($job['input']) }
foreach ($path in $inputs) { $jobArgs += @('--input', $path) }
if ($OutputPath) { $jobArgs += @('--output', $OutputPath) }
if ($Partitions) { $jobArgs += @('--partitions', $Partitions) }
# Java reads no KRB5_CONFIG: the driver of a Kerberized cluster's job is
# given the file MIT's tools use (a -Conf of the user's comes later, wins).
$confArgs = @()
if ($env:KRB5_CONFIG) { $confArgs += @('--conf', "spark.driver.extraJavaOptions=-Djava.security.krb5.conf=$($env:KRB5_CONFIG)") }
foreach ($setting in $Conf) { $confArgs += @('--conf', $setting) }
$logmrPath = Find-Logmr $Logmr
Add-Year $job $Year $logmrPath

$sparkSubmit = $null
if ($env:SPARK_HOME) { $sparkSubmit = Join-Path $env:SPARK_HOME 'bin/spark-submit.cmd' }
else {
    $found = Get-Command spark-submit -ErrorAction SilentlyContinue
    if ($found) { $sparkSubmit = $found.Source }
}
if (-not $sparkSubmit -or -not (Test-Path $sparkSubmit)) {
    Fail 2 'no spark-submit: set SPARK_HOME, or put spark-submit on PATH (pip install -r hadoop-jobs/spark/requirements.txt)'
}

[Console]::Error.WriteLine("${ScriptName}: shipping $logmrPath ($(Get-LogmrBuild $logmrPath)) to Spark at $Master")
$env:LOGMR_SPARK_SCRIPT = $ScriptName
$script = Join-Path $PSScriptRoot '../spark/job.py'
# spark-submit runs job.py with its stderr joined to stdout, so everything
# it prints goes to stderr here and the result comes through a file.
$result = [IO.Path]::GetTempFileName()
try {
    & $sparkSubmit --master $Master --conf spark.log.level=WARN @confArgs $script ([IO.Path]::GetFileNameWithoutExtension($Descriptor)) $logmrPath ($job['mapper']) --result $result @jobArgs | ForEach-Object { [Console]::Error.WriteLine($_) }
    switch ($LASTEXITCODE) {
        0 {
            if ($job['after']) { Invoke-After $job $logmrPath (Get-Content -LiteralPath $result) }
            else { [IO.File]::OpenRead($result).CopyTo([Console]::OpenStandardOutput()) }
        }
        2 { Fail 2 'bad arguments for the job (see above)' }
        default { Fail 1 "the Spark job failed (spark-submit exited with code $LASTEXITCODE; its messages above)" }
    }
}
finally { Remove-Item -Force $result }
