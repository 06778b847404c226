# The whole pipeline on one machine, the main job on the embedded default:
# logmr-gen publishes machine logs to a Kafka topic, logmr-sink commits them
# to a store laid out like /user/kafka/logs, and the logcount job counts them
# the way Hadoop runs it; with -Cluster, on real Kafka, HDFS and YARN started
# here; with -Cluster -Secure, over SASL_SSL into HDFS with Kerberos. It prints the level table and checks it against the generator's
# summary. Its bash twin is pipeline.sh.
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
    [switch]$Cluster,
    [switch]$Secure,
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
logmr-sink -> a store laid out like /user/kafka/logs -> the logcount job.
Prints the level table and checks it against what the generator says it
produced.

By default the store is a local directory and the job runs the way Hadoop
runs it, on this machine (logcount-local.ps1: one map task per file, sort,
combine, reduce). With -Cluster, Apache Kafka, HDFS and YARN are started
here (tests/services/services.sh, run with bash: Java 17 and Maven, jars
from Maven Central on first use), the sink stores into HDFS and the job runs
with Hadoop Streaming on YARN (logcount.ps1). The broker is -Brokers, else
an Apache Kafka broker started for the run (also through bash).

With -Cluster -Secure, the services are secure (services.sh --secure): a
KDC, HDFS with Kerberos and Kafka's SASL_SSL listener. The user's keytab is
kinit'ed into a private ticket cache, logmr-gen and logmr-sink read the
listener's properties from LOGMR_KAFKA_CONFIG (never from the command line),
and the Spark logcount job (spark-job.ps1) counts the store: a Kerberized
Hadoop Streaming job needs Hadoop's native library, which these services
lack. For a secure cluster of your own, kinit and set
`$env:LOGMR_KAFKA_CONFIG to the file instead.

  -Count N          lines to generate [default: 100000]
  -Format NAME      layout of the lines, as logmr-gen --format [default: seed]
  -Brokers LIST     Kafka brokers to use instead of starting one
  -Topic NAME       topic [default: logs_machine]
  -Partitions N     partitions when the topic is created [default: 3]
  -Store DIR|URL    the sink's store: a local directory, or an HDFS URL such as
                    hdfs://namenode:8020/user/kafka/logs, which makes the
                    count a Hadoop job (logcount.ps1)
                    [default: target\pipeline\user\kafka\logs]
  -OutputPath PATH  the count job's output directory
                    [default: target\pipeline\user\kafka\logs_out, or
                    /user/kafka/logs_out with an HDFS store]
  -Cluster          start Kafka, HDFS and YARN here and run on them
  -Secure           with -Cluster: Kerberos and SASL_SSL (see above)
  -Force            replace an existing output directory (never the store)
  -Help             this help

The check needs an empty topic and store to start from: a broker or cluster
started here is, and the default store is cleared on each run. A store of
your own (-Store) must be empty or missing: pipeline.ps1 never deletes one.
The binaries are built with cargo unless `$env:LOGMR_BIN_DIR holds them; a
Hadoop job ships the portable logmr when it has been built
(bash mr/build-portable.sh), as job.ps1 does.

Exit codes: 0 the counts match, 1 a stage failed or the counts differ,
2 bad arguments or setup.
"@
}

if ($Help) { Show-Usage; exit 0 }

function Write-Stage([string]$Message) { [Console]::Error.WriteLine("`n==> $Message") }

# KEY='value' lines of a services directory's env file.
function Read-ServicesEnv([string]$Dir) {
    $values = @{}
    foreach ($line in Get-Content -LiteralPath (Join-Path $Dir 'env')) {
        $key, $value = $line.Split('=', 2)
        $values[$key] = $value.Trim("'")
    }
    $values
}

if ($Secure -and -not $Cluster) {
    Fail 2 '-Secure starts secure services: add -Cluster (for a secure cluster of your own, kinit and set $env:LOGMR_KAFKA_CONFIG to the file)'
}

$services = Join-Path $RepoRoot 'tests/services/services.sh'
$work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ([IO.Path]::GetRandomFileName()))
$servicesDir = $null

try {
    if ($Cluster) {
        if ($Brokers -or $Store) { Fail 2 '-Cluster starts its own broker and HDFS: drop -Brokers and -Store' }
        $servicesDir = Join-Path $work 'services'
        if ($Secure) {
            Write-Stage 'starting a KDC, HDFS with Kerberos and Apache Kafka with SASL_SSL on this machine (stopped at exit)'
            bash $services start $servicesDir --secure
            if ($LASTEXITCODE -ne 0) { Fail 1 "the services did not start; their log is $servicesDir/services.log" }
        } else {
            Write-Stage 'starting Apache Kafka, HDFS and YARN on this machine (stopped at exit)'
            bash $services start $servicesDir
            if ($LASTEXITCODE -ne 0) { Fail 1 "the services did not start; their log is $servicesDir/services.log" }
        }
        $started = Read-ServicesEnv $servicesDir
        $env:HADOOP_CONF_DIR = $started['HADOOP_CONF_DIR']
        $env:PATH = (Join-Path $RepoRoot 'tests/services/bin') + [IO.Path]::PathSeparator + $env:PATH
        $env:HADOOP_STREAMING_JAR = ((bash $services classpath) -split ':' | Where-Object { $_ -match '/hadoop-streaming-[^/]*\.jar$' } | Select-Object -First 1)
        $Brokers = $started['LOGMR_KAFKA_BROKERS']
        $Store = "$($started['LOGMR_HDFS'])/user/kafka/logs"
        if ($Secure) {
            $env:KRB5_CONFIG = $started['KRB5_CONFIG']
            $env:KRB5CCNAME = "FILE:$(Join-Path $work 'krb5cc')"
            kinit -kt $started['LOGMR_KEYTAB'] $started['LOGMR_PRINCIPAL']
            if ($LASTEXITCODE -ne 0) { Fail 1 "kinit $($started['LOGMR_PRINCIPAL']) failed (Debian: apt-get install krb5-user)" }
            $env:LOGMR_KAFKA_CONFIG = $started['LOGMR_KAFKA_SECURE_CONFIG']
            $Brokers = $started['LOGMR_KAFKA_SECURE_BROKERS']
            $Store = "$($started['LOGMR_HDFS'])$($started['LOGMR_SECURE_HOME'])/logs"
            [Console]::Error.WriteLine("    Kafka SASL_SSL $Brokers, HDFS with Kerberos $($started['LOGMR_HDFS']) as $($started['LOGMR_PRINCIPAL'])")
        } else {
            [Console]::Error.WriteLine("    Kafka $Brokers, HDFS $($started['LOGMR_HDFS']), YARN configured in $env:HADOOP_CONF_DIR")
        }
    }

    $hdfs = $Store -match '^(hdfs|viewfs)://'
    if (-not $Store) {
        # The default store is this script's own: cleared on every run.
        Remove-Item -LiteralPath (Join-Path $RepoRoot 'target/pipeline') -Recurse -Force -ErrorAction SilentlyContinue
        $Store = Join-Path $RepoRoot 'target/pipeline/user/kafka/logs'
        if (-not $OutputPath) { $OutputPath = Join-Path $RepoRoot 'target/pipeline/user/kafka/logs_out' }
    } elseif (-not $hdfs -and (Test-Path -LiteralPath $Store) -and @(Get-ChildItem -LiteralPath $Store -Force).Count -gt 0) {
        Fail 2 "store $Store is not empty; the check needs an empty one: give a new -Store (pipeline.ps1 never deletes a store)"
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
        # A Hadoop job ships the logmr that job.ps1 picks: the portable build
        # when there is one (bash mr/build-portable.sh), which older nodes run.
        if (-not $hdfs) { $env:LOGMR_BIN = Join-Path $bin "logmr$Exe" }
    } else {
        $env:LOGMR_BIN = Join-Path $bin "logmr$Exe"
    }

    if (-not $Brokers) {
        Write-Stage 'starting an Apache Kafka broker on this machine (KRaft, stopped at exit)'
        $servicesDir = Join-Path $work 'kafka'
        bash $services start $servicesDir --no-hdfs --no-yarn
        if ($LASTEXITCODE -ne 0) { Fail 1 "Kafka did not start (it needs Java 17, Maven and bash); its log is $servicesDir/services.log; or pass -Brokers" }
        $Brokers = (Read-ServicesEnv $servicesDir)['LOGMR_KAFKA_BROKERS']
        [Console]::Error.WriteLine("    Kafka $Brokers")
    }

    $summary = Join-Path $work 'summary.tsv'
    Write-Stage "1/3 logmr-gen: $Count $Format lines to topic $Topic at $Brokers"
    & (Join-Path $bin "logmr-gen$Exe") --count $Count --format $Format --brokers $Brokers --topic $Topic `
        --partitions $Partitions --summary $summary
    if ($LASTEXITCODE -ne 0) { Fail 1 'the generator failed' }

    Write-Stage "2/3 logmr-sink: topic $Topic to $Store, until the topic is idle for 3 s"
    & (Join-Path $bin "logmr-sink$Exe") --brokers $Brokers --topic $Topic --group "logmr-pipeline-$PID" `
        --store $Store --exit-when-idle 3
    if ($LASTEXITCODE -ne 0) { Fail 1 'the sink failed' }

    if ($Secure) {
        Write-Stage "3/3 spark-job.ps1 logcount: the Spark job over $Store"
        $result = @(& (Join-Path $PSScriptRoot 'spark-job.ps1') logcount -InputPath $Store)
        if ($LASTEXITCODE -ne 0) { Fail 1 'the count job failed' }
    } elseif ($hdfs) {
        Write-Stage "3/3 logcount.ps1: the Hadoop job over $Store into $OutputPath"
        $result = @(& (Join-Path $PSScriptRoot 'logcount.ps1') -InputPath $Store -OutputPath $OutputPath -Force:$Force)
        if ($LASTEXITCODE -ne 0) { Fail 1 'the count job failed' }
    } else {
        Write-Stage "3/3 logcount-local.ps1: one map task per file in $Store, into $OutputPath"
        & (Join-Path $PSScriptRoot 'logcount-local.ps1') -OutputPath $OutputPath -Force:$Force $Store
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
    if ($servicesDir) {
        Write-Stage 'stopping the services started here'
        bash $services stop $servicesDir
    }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
