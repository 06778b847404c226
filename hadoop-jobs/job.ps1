# Runs any job of jobs/ on a Hadoop cluster: `job.ps1 NAME [OPTIONS]` runs
# jobs/NAME.job (logcount, levels-by-hour, levels-by-minute, sources,
# templates); `job.ps1 NAME -Help` lists the options.
$ErrorActionPreference = 'Stop'
if ($args.Count -eq 0) { [Console]::Error.WriteLine("usage: job.ps1 NAME [OPTIONS], NAME one of: $((Get-ChildItem (Join-Path $PSScriptRoot 'jobs') -Filter *.job).BaseName -join ' ')"); exit 2 }
$name = $args[0]
$rest = @($args | Select-Object -Skip 1)
& (Join-Path $PSScriptRoot 'lib/job.ps1') -Descriptor (Join-Path $PSScriptRoot "jobs/$name.job") -ScriptName "job.ps1 $name" @rest
exit $LASTEXITCODE
