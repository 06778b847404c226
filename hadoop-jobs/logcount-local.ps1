# Counts log lines per level on this machine, the way the Hadoop job does:
# `logmr map | sort | logmr reduce` over local files, one map task per file.
# The job is jobs/logcount.job; `logcount-local.ps1 -Help` lists the options.
$ErrorActionPreference = 'Stop'
& (Join-Path $PSScriptRoot 'lib/local.ps1') -Descriptor (Join-Path $PSScriptRoot 'jobs/logcount.job') -ScriptName logcount-local.ps1 @args
exit $LASTEXITCODE
