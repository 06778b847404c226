# Runs any job of jobs/ on this machine, as Hadoop runs it:
# `job-local.ps1 NAME [OPTIONS] [INPUT...]` runs jobs/NAME.job;
# `job-local.ps1 NAME -Help` lists the options.
$ErrorActionPreference = 'Stop'
if ($args.Count -eq 0) { [Console]::Error.WriteLine("usage: job-local.ps1 NAME [OPTIONS] [INPUT...], NAME one of: $((Get-ChildItem (Join-Path $PSScriptRoot 'jobs') -Filter *.job).BaseName -join ' ')"); exit 2 }
$name = $args[0]
$rest = @($args | Select-Object -Skip 1)
& (Join-Path $PSScriptRoot 'lib/local.ps1') -Descriptor (Join-Path $PSScriptRoot "jobs/$name.job") -ScriptName "job-local.ps1 $name" @rest
exit $LASTEXITCODE
