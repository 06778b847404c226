# The whole pipeline on one machine, the main job on the embedded default:
# logmr-gen publishes machine logs to a Kafka topic, logmr-sink commits them
# to a store laid out like /user/kafka/logs, and the logcount job counts them
# the way Hadoop runs it. It prints the level table and checks it against the
# generator's summary. Its bash twin is pipeline.sh.
#
# Usage: pipeline.ps1 [OPTIONS]   (see usage below)
param(
    [string]$Count = '100000',
    [string]$Format = 'seed',
    [string]$Brokers = '',
    [string]$Topic = 'logs_machine',
    [string]$Partitions = '3',
    [string]$Store = '',
    [string]$OutputPath = '',
    [switch]$Force,
    [switch]$Help
)
$ErrorActionPreference = 'Stop'
$ScriptName = 'pipeline.ps1'
. (Join-Path $PSScriptRoot 'lib/common.ps1')

function Show-Usage {
    @"
Usage: $ScriptName [OPTIONS]

Runs the whole pipeline on one machine: logmr-gen -> a Kafka topic ->
logmr-sink -> a store laid out like /user/kafka/logs -> the logcount job
(one map task per file, sort, combine, reduce). Prints the level table and
checks it against what the generator says it produced.

The broker is -Brokers, else a tansu broker started for the run (`$env:TANSU_BIN,
tansu on PATH, or ~/.cache/logmr/tansu/bin/tansu, where tests/run.sh installs
it). With neither, the generator writes the store directly and says so.

  -Count N          lines to generate [default: 100000]
  -Format NAME      layout of the lines, as logmr-gen --format [default: seed]
  -Brokers LIST     Kafka brokers to use instead of starting tansu
  -Topic NAME       topic [default: logs_machine]
  -Partitions N     partitions when the topic is created [default: 3]
  -Store DIR|URL    the sink's store: a local directory, or an HDFS URL such as
                    hdfs://namenode:8020/user/kafka/logs, which makes the
                    count a Hadoop job (logcount.ps1)
                    [default: target\pipeline\user\kafka\logs]
  -OutputPath PATH  the count job's output directory
                    [default: target\pipeline\user\kafka\logs_out, or
                    /user/kafka/logs_out with an HDFS store]
  -Force            replace an existing store and output
  -Help             this help

The check needs an empty topic and store to start from: a tansu broker
started here is, and the default store is cleared on each run.
The binaries are built with cargo unless `$env:LOGMR_BIN_DIR holds them.

Exit codes: 0 the counts match, 1 a stage failed or the counts differ,
2 bad arguments or setup.
"@
}

if ($Help) { Show-Usage; exit 0 }

function Write-Stage([string]$Message) { [Console]::Error.WriteLine("`n==> $Message") }

$hdfs = $Store -match '^(hdfs|viewfs)://'
if (-not $Store) {
    # The default store is this script's own: cleared on every run.
    Remove-Item -LiteralPath (Join-Path $RepoRoot 'target/pipeline') -Recurse -Force -ErrorAction SilentlyContinue
    $Store = Join-Path $RepoRoot 'target/pipeline/user/kafka/logs'
    if (-not $OutputPath) { $OutputPath = Join-Path $RepoRoot 'target/pipeline/user/kafka/logs_out' }
} elseif (-not $hdfs -and (Test-Path -LiteralPath $Store) -and @(Get-ChildItem -LiteralPath $Store -Force).Count -gt 0) {
    if (-not $Force) { Fail 2 "store $Store is not empty; the check needs an empty one (pass -Force to clear it)" }
    Remove-Item -LiteralPath $Store -Recurse -Force
}
if (-not $OutputPath) {
    if ($hdfs) { $OutputPath = '/user/kafka/logs_out' } else { $OutputPath = Join-Path (Split-Path -Parent $Store) 'logs_out' }
}

$bin = $env:LOGMR_BIN_DIR
if (-not $bin) {
    Write-Stage 'building logmr, logmr-gen and logmr-sink (release)'
    cargo build --release --quiet --manifest-path (Join-Path $RepoRoot 'Cargo.toml') -p logmr -p logmr-ingest
    if ($LASTEXITCODE -ne 0) { Fail 1 'cargo build failed' }
    $bin = Join-Path $RepoRoot 'target/release'
}
$env:LOGMR_BIN = Join-Path $bin "logmr$Exe"

$work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ([IO.Path]::GetRandomFileName()))
$broker = $null
function Test-Listening([int]$Port) {
    $client = New-Object Net.Sockets.TcpClient
    try { $client.Connect('127.0.0.1', $Port); return $true } catch { return $false } finally { $client.Dispose() }
}

try {
    if (-not $Brokers) {
        $tansu = $env:TANSU_BIN
        if (-not $tansu) { $tansu = (Get-Command tansu -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source }
        if (-not $tansu) { $tansu = Join-Path $HOME ".cache/logmr/tansu/bin/tansu$Exe" }
        if (Test-Path -LiteralPath $tansu -PathType Leaf) {
            $port = Get-Random -Minimum 20000 -Maximum 60000
            while (Test-Listening $port) { $port = Get-Random -Minimum 20000 -Maximum 60000 }
            $url = "tcp://127.0.0.1:$port"
            Write-Stage "starting a tansu broker at 127.0.0.1:$port (in memory, stopped at exit)"
            $broker = Start-Process -FilePath $tansu -PassThru -NoNewWindow `
                -ArgumentList @('broker', '--listener-url', $url, '--advertised-listener-url', $url, '--storage-engine', 'memory://tansu/') `
                -RedirectStandardOutput (Join-Path $work 'tansu.out') -RedirectStandardError (Join-Path $work 'tansu.log')
            foreach ($attempt in 1..300) {
                if (Test-Listening $port) { break }
                if ($broker.HasExited) { Fail 1 "tansu exited at start: $(Get-Content (Join-Path $work 'tansu.log') -Tail 5)" }
                Start-Sleep -Milliseconds 100
            }
            if (-not (Test-Listening $port)) { Fail 1 "tansu did not listen on $port within 30 s" }
            $Brokers = "127.0.0.1:$port"
        } else {
            Write-Stage 'no Kafka broker: pass -Brokers, or install tansu (bash tests/run.sh does, into ~/.cache/logmr/tansu)'
            [Console]::Error.WriteLine('    the generator writes the store directly; the Kafka and sink stages are skipped')
        }
    }

    $summary = Join-Path $work 'summary.tsv'
    if ($Brokers) {
        Write-Stage "1/3 logmr-gen: $Count $Format lines to topic $Topic at $Brokers"
        & (Join-Path $bin "logmr-gen$Exe") --count $Count --format $Format --brokers $Brokers --topic $Topic `
            --partitions $Partitions --summary $summary
        if ($LASTEXITCODE -ne 0) { Fail 1 'the generator failed' }

        Write-Stage "2/3 logmr-sink: topic $Topic to $Store, until the topic is idle for 3 s"
        & (Join-Path $bin "logmr-sink$Exe") --brokers $Brokers --topic $Topic --group "logmr-pipeline-$PID" `
            --store $Store --exit-when-idle 3
        if ($LASTEXITCODE -ne 0) { Fail 1 'the sink failed' }
    } else {
        if ($hdfs) { Fail 2 'an HDFS store is filled by the sink, which needs a broker (-Brokers)' }
        Write-Stage "1/3 logmr-gen: $Count $Format lines to $Store/generated.log"
        New-Item -ItemType Directory -Path $Store -Force | Out-Null
        & (Join-Path $bin "logmr-gen$Exe") --count $Count --format $Format --output (Join-Path $Store 'generated.log') `
            --summary $summary
        if ($LASTEXITCODE -ne 0) { Fail 1 'the generator failed' }
    }

    if ($hdfs) {
        Write-Stage "3/3 logcount.ps1: the Hadoop job over $Store into $OutputPath"
        $result = @(& (Join-Path $PSScriptRoot 'logcount.ps1') -InputPath $Store -OutputPath $OutputPath -Force:$Force)
        if ($LASTEXITCODE -ne 0) { Fail 1 'the count job failed' }
    } else {
        Write-Stage "3/3 logcount-local.ps1: one map task per file in $Store, into $OutputPath"
        & (Join-Path $PSScriptRoot 'logcount-local.ps1') -OutputPath $OutputPath -Force $Store
        if ($LASTEXITCODE -ne 0) { Fail 1 'the count job failed' }
        $result = @(Get-Content -LiteralPath (Join-Path $OutputPath 'part-00000'))
    }

    $rows = @($result | Where-Object { $_ } | ForEach-Object { $key, $value = $_.Split("`t", 2); [pscustomobject]@{ Key = $key; Count = [long]$value } })
    $sortedRows = [Linq.Enumerable]::ToArray([Linq.Enumerable]::OrderBy($rows, [Func[object, string]] { param($row) $row.Key }, [StringComparer]::Ordinal))
    $total = ($rows | Measure-Object -Property Count -Sum).Sum
    if (-not $total) { $total = 0 }
    "level counts of the $Count generated lines, as stored and counted:"
    foreach ($row in $sortedRows) {
        $share = 0
        if ($total) { $share = 100 * $row.Count / $total }
        '  {0,-10} {1,10}  {2,5:N1}%' -f $row.Key, $row.Count, $share
    }
    '  {0,-10} {1,10}' -f 'total', $total
    $counted = @($sortedRows | ForEach-Object { "$($_.Key)`t$($_.Count)" })
    $expected = @(Get-Content -LiteralPath $summary)
    if (($counted -join "`n") -ceq ($expected -join "`n")) {
        "check: equal to the generator's summary, every line counted once"
    } else {
        [Console]::Error.WriteLine("check: FAILED, the counts differ from the generator's summary:")
        Compare-Object $expected $counted | ForEach-Object { [Console]::Error.WriteLine("$($_.SideIndicator) $($_.InputObject)") }
        exit 1
    }
} finally {
    if ($broker -and -not $broker.HasExited) { Stop-Process -Id $broker.Id -Force }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
