# Runs any job of jobs/ on Spark with the same logmr binary:
# `spark-job.ps1 NAME [OPTIONS]` runs jobs/NAME.job (logcount, levels-by-hour,
# levels-by-minute, sources, templates) with spark-submit, here (local[*]) or
# on YARN (-Master yarn); `spark-job.ps1 NAME -Help` lists the options. An
# unknown or missing NAME exits 2 with the list of jobs.
$ErrorActionPreference = 'Stop'
$name = if ($args.Count -gt 0) { $args[0] } else { '' }
$rest = @($args | Select-Object -Skip 1)
& (Join-Path $PSScriptRoot 'lib/spark.ps1') -Descriptor (Join-Path $PSScriptRoot "jobs/$name.job") -ScriptName "spark-job.ps1 $name" @rest
exit $LASTEXITCODE
