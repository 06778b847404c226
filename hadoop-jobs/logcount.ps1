# Counts log lines per level on a Hadoop cluster: Hadoop Streaming with
# `logmr map` as mapper, `logmr reduce` as combiner and reducer. The job is
# jobs/logcount.job; `logcount.ps1 -Help` lists the options.
$ErrorActionPreference = 'Stop'
& (Join-Path $PSScriptRoot 'lib/job.ps1') -Descriptor (Join-Path $PSScriptRoot 'jobs/logcount.job') -ScriptName logcount.ps1 @args
exit $LASTEXITCODE
