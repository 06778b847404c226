//! The log layouts the generator writes: the original generator's lines and
//! the real-world layouts `logmr map` detects. Each layout is a template of
//! [`Part`]s and the spelling of each level it can express.

use logmr::civil::{Civil, MONTHS, WEEKDAYS};
use logmr::units::push_padded;

/// A piece of a line template.
#[derive(Clone, Copy, Debug)]
pub enum Part {
    Text(&'static str),
    /// `2024-12-10`
    Ymd,
    /// `14:33:21`
    Hms,
    /// `978` (milliseconds)
    Millis,
    /// `978000` (microseconds)
    Micros,
    /// `2024`
    Year,
    /// `241210 143321` (HDFS)
    YymmddHhmmss,
    /// `Dec 10` (syslog; the day padded to two columns)
    MonDay,
    /// `Tue Dec 10` (Apache)
    WeekdayMonDay,
    /// `12-10` (logcat)
    MmDd,
    /// `1733841201` (Unix seconds)
    Epoch,
    /// `2024.12.10` (BlueGene/L)
    YmdDots,
    /// `2024-12-10-14.33.21.978000` (BlueGene/L)
    BglTime,
    /// `2024-12-10T14:33:21.978Z`
    Iso,
    /// `machine-07`
    Machine,
    /// The level, as the layout spells it.
    Level,
    /// A message, which may name other levels after the real one.
    Message,
    /// Spaces after the level up to this many columns (Windows CBS).
    PadLevelTo(usize),
}

use Part::*;

/// (canonical key, how a layout spells it)
pub type Spelling = (&'static str, &'static str);

/// A named layout.
#[derive(Debug)]
pub struct Layout {
    pub name: &'static str,
    pub spellings: &'static [Spelling],
    pub parts: &'static [Part],
}

const LOG4J: &[Spelling] = &[
    ("TRACE", "TRACE"),
    ("DEBUG", "DEBUG"),
    ("INFO", "INFO"),
    ("WARN", "WARN"),
    ("ERROR", "ERROR"),
    ("FATAL", "FATAL"),
];
const SEED: &[Spelling] = &[
    ("DEBUG", "DEBUG"),
    ("INFO", "INFO"),
    ("WARN", "WARN"),
    ("ERROR", "ERROR"),
];
const PYTHON: &[Spelling] = &[
    ("DEBUG", "DEBUG"),
    ("INFO", "INFO"),
    ("WARN", "WARNING"),
    ("ERROR", "ERROR"),
    ("CRITICAL", "CRITICAL"),
];
const LOWER: &[Spelling] = &[
    ("TRACE", "trace"),
    ("DEBUG", "debug"),
    ("INFO", "info"),
    ("WARN", "warning"),
    ("ERROR", "error"),
    ("FATAL", "fatal"),
];
const LOGCAT: &[Spelling] = &[
    ("TRACE", "V"),
    ("DEBUG", "D"),
    ("INFO", "I"),
    ("WARN", "W"),
    ("ERROR", "E"),
    ("FATAL", "F"),
];
const APACHE: &[Spelling] = &[
    ("DEBUG", "debug"),
    ("INFO", "info"),
    ("NOTICE", "notice"),
    ("WARN", "warn"),
    ("ERROR", "error"),
    ("CRITICAL", "crit"),
    ("ALERT", "alert"),
    ("EMERG", "emerg"),
];
/// Syslog `<PRI>` for facility 1 (user): 8 + severity.
const SYSLOG: &[Spelling] = &[
    ("EMERG", "8"),
    ("ALERT", "9"),
    ("CRITICAL", "10"),
    ("ERROR", "11"),
    ("WARN", "12"),
    ("NOTICE", "13"),
    ("INFO", "14"),
    ("DEBUG", "15"),
];
const CBS: &[Spelling] = &[("INFO", "Info"), ("WARN", "Warning"), ("ERROR", "Error")];
const BGL: &[Spelling] = &[
    ("INFO", "INFO"),
    ("WARN", "WARNING"),
    ("ERROR", "ERROR"),
    ("SEVERE", "SEVERE"),
    ("FATAL", "FATAL"),
];

/// Every layout, the original generator's first.
pub const LAYOUTS: &[Layout] = &[
    Layout {
        name: "seed",
        spellings: SEED,
        parts: &[
            Ymd,
            Text(" "),
            Hms,
            Text(" ["),
            Level,
            Text("] "),
            Machine,
            Text(": "),
            Message,
        ],
    },
    Layout {
        name: "log4j",
        spellings: LOG4J,
        parts: &[
            Ymd,
            Text(" "),
            Hms,
            Text(","),
            Millis,
            Text(" "),
            Level,
            Text(" ["),
            Machine,
            Text("] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: "),
            Message,
        ],
    },
    Layout {
        name: "hdfs",
        spellings: LOG4J,
        parts: &[
            YymmddHhmmss,
            Text(" 148 "),
            Level,
            Text(" dfs.DataNode$PacketResponder: "),
            Machine,
            Text(" "),
            Message,
        ],
    },
    Layout {
        name: "kafka",
        spellings: LOG4J,
        parts: &[
            Text("["),
            Ymd,
            Text(" "),
            Hms,
            Text(","),
            Millis,
            Text("] "),
            Level,
            Text(" [ReplicaFetcher replicaId=1, leaderId=0] "),
            Machine,
            Text(": "),
            Message,
            Text(" (kafka.server.ReplicaFetcherThread)"),
        ],
    },
    Layout {
        name: "python",
        spellings: PYTHON,
        parts: &[
            Ymd,
            Text(" "),
            Hms,
            Text(","),
            Millis,
            Text(" - "),
            Machine,
            Text(" - "),
            Level,
            Text(" - "),
            Message,
        ],
    },
    Layout {
        name: "json",
        spellings: LOWER,
        parts: &[
            Text("{\"time\":\""),
            Iso,
            Text("\",\"machine\":\""),
            Machine,
            Text("\",\"msg\":\""),
            Message,
            Text("\",\"level\":\""),
            Level,
            Text("\"}"),
        ],
    },
    Layout {
        name: "logfmt",
        spellings: LOWER,
        parts: &[
            Text("time="),
            Iso,
            Text(" level="),
            Level,
            Text(" machine="),
            Machine,
            Text(" msg=\""),
            Message,
            Text("\""),
        ],
    },
    Layout {
        name: "logcat",
        spellings: LOGCAT,
        parts: &[
            MmDd,
            Text(" "),
            Hms,
            Text("."),
            Millis,
            Text("  1702  2395 "),
            Level,
            Text(" "),
            Machine,
            Text(": "),
            Message,
        ],
    },
    Layout {
        name: "apache",
        spellings: APACHE,
        parts: &[
            Text("["),
            WeekdayMonDay,
            Text(" "),
            Hms,
            Text("."),
            Micros,
            Text(" "),
            Year,
            Text("] [core:"),
            Level,
            Text("] [pid 35708:tid 4328636416] [client "),
            Machine,
            Text("] "),
            Message,
        ],
    },
    Layout {
        name: "syslog",
        spellings: SYSLOG,
        parts: &[
            Text("<"),
            Level,
            Text(">"),
            MonDay,
            Text(" "),
            Hms,
            Text(" "),
            Machine,
            Text(" myapp[123]: "),
            Message,
        ],
    },
    Layout {
        name: "cbs",
        spellings: CBS,
        parts: &[
            Ymd,
            Text(" "),
            Hms,
            Text(", "),
            Level,
            PadLevelTo(22),
            Text("CBS    "),
            Message,
        ],
    },
    Layout {
        name: "bgl",
        spellings: BGL,
        parts: &[
            Text("- "),
            Epoch,
            Text(" "),
            YmdDots,
            Text(" "),
            Machine,
            Text(" "),
            BglTime,
            Text(" "),
            Machine,
            Text(" RAS KERNEL "),
            Level,
            Text(" "),
            Message,
        ],
    },
];

/// The layout of that name.
pub fn layout(name: &str) -> Option<&'static Layout> {
    LAYOUTS.iter().find(|l| l.name == name)
}

/// Messages; `{n}` becomes a number. Some name a level after the real one.
pub const MESSAGES: &[&str] = &[
    "disk usage at {n}%",
    "memory usage at {n}%",
    "job {n} finished",
    "connection refused on port {n}",
    "heartbeat ok after {n} ms",
    "retrying request {n} after error",
    "cache miss rate {n}%",
];

/// What a line is made of besides its template.
pub struct Fields<'a> {
    pub time: &'a Civil,
    pub unix_secs: i64,
    pub machine: u32,
    pub level: &'static str,
    pub message: &'static str,
    pub number: u64,
}

/// `YYYY<sep>MM<sep>DD`
fn ymd(out: &mut Vec<u8>, year: u64, t: &Civil, sep: u8) {
    push_padded(out, year, 4);
    out.push(sep);
    push_padded(out, u64::from(t.month), 2);
    out.push(sep);
    push_padded(out, u64::from(t.day), 2);
}

/// `HH<sep>MM<sep>SS`
fn hms(out: &mut Vec<u8>, t: &Civil, sep: u8) {
    push_padded(out, u64::from(t.hour), 2);
    out.push(sep);
    push_padded(out, u64::from(t.minute), 2);
    out.push(sep);
    push_padded(out, u64::from(t.second), 2);
}

/// Appends one line of `layout`, with its newline.
pub fn write_line(layout: &Layout, f: &Fields<'_>, out: &mut Vec<u8>) {
    let t = f.time;
    let year = t.year.rem_euclid(10_000) as u64;
    for part in layout.parts {
        match *part {
            Text(s) => out.extend_from_slice(s.as_bytes()),
            Ymd => ymd(out, year, t, b'-'),
            Hms => hms(out, t, b':'),
            Millis => push_padded(out, u64::from(t.millis), 3),
            Micros => push_padded(out, u64::from(t.millis) * 1000, 6),
            Year => push_padded(out, year, 4),
            YymmddHhmmss => {
                for v in [year % 100, t.month.into(), t.day.into()] {
                    push_padded(out, v, 2);
                }
                out.push(b' ');
                for v in [t.hour, t.minute, t.second] {
                    push_padded(out, u64::from(v), 2);
                }
            }
            MonDay => {
                out.extend_from_slice(MONTHS[t.month as usize - 1].as_bytes());
                out.extend_from_slice(if t.day < 10 { b"  " } else { b" " });
                push_padded(out, u64::from(t.day), 1);
            }
            WeekdayMonDay => {
                out.extend_from_slice(WEEKDAYS[t.weekday as usize].as_bytes());
                out.push(b' ');
                out.extend_from_slice(MONTHS[t.month as usize - 1].as_bytes());
                out.push(b' ');
                push_padded(out, u64::from(t.day), 2);
            }
            MmDd => {
                push_padded(out, u64::from(t.month), 2);
                out.push(b'-');
                push_padded(out, u64::from(t.day), 2);
            }
            Epoch => push_padded(out, f.unix_secs.max(0) as u64, 1),
            YmdDots => ymd(out, year, t, b'.'),
            BglTime => {
                ymd(out, year, t, b'-');
                out.push(b'-');
                hms(out, t, b'.');
                out.push(b'.');
                push_padded(out, u64::from(t.millis) * 1000, 6);
            }
            Iso => {
                ymd(out, year, t, b'-');
                out.push(b'T');
                hms(out, t, b':');
                out.push(b'.');
                push_padded(out, u64::from(t.millis), 3);
                out.push(b'Z');
            }
            Machine => {
                out.extend_from_slice(b"machine-");
                push_padded(out, u64::from(f.machine), 2);
            }
            Level => out.extend_from_slice(f.level.as_bytes()),
            Message => {
                let (head, tail) = f.message.split_once("{n}").unwrap_or((f.message, ""));
                out.extend_from_slice(head.as_bytes());
                push_padded(out, f.number, 1);
                out.extend_from_slice(tail.as_bytes());
            }
            PadLevelTo(width) => out.resize(out.len() + width.saturating_sub(f.level.len()), b' '),
        }
    }
    out.push(b'\n');
}

/// The machine id as written in lines and used as the Kafka key.
pub fn machine_key(machine: u32) -> Vec<u8> {
    let mut key = b"machine-".to_vec();
    push_padded(&mut key, u64::from(machine), 2);
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use logmr::keys::template;
    use logmr::{Detector, KeyMaker, KeySpec};

    /// The message of a line of `layout`, as `logmr map --by template` should
    /// find it: the generator's message, and for HDFS the machine it writes
    /// in front of it (HDFS's own messages start after `Class: `). Every
    /// layout is here: a new one fails until its message is said.
    fn message_of(layout: &str, machine: &str, message: &str) -> String {
        match layout {
            "hdfs" => format!("{machine} {message}"),
            "seed" | "log4j" | "kafka" | "python" | "json" | "logfmt" | "logcat" | "apache"
            | "syslog" | "cbs" | "bgl" => message.to_string(),
            other => panic!("say what message a line of the new layout {other} gives"),
        }
    }

    #[test]
    fn every_layout_gives_each_line_its_message_as_template() {
        let keys = KeyMaker::new(KeySpec::parse("level,template").unwrap(), 2024);
        let detector = Detector::default();
        let time = logmr::civil::civil(1_733_841_201_978);
        let (mut line, mut key, mut want) = (Vec::new(), Vec::new(), Vec::new());
        for layout in LAYOUTS {
            for &(level, spelling) in layout.spellings {
                for (i, message) in MESSAGES.iter().enumerate() {
                    let machine = 1 + i as u32 * 7;
                    let fields = Fields {
                        time: &time,
                        unix_secs: 1_733_841_201,
                        machine,
                        level: spelling,
                        message,
                        number: 40 + i as u64,
                    };
                    line.clear();
                    write_line(layout, &fields, &mut line);
                    let line = line.strip_suffix(b"\n").unwrap_or(&line);
                    keys.write_key(&detector, line, &mut key);
                    let machine = String::from_utf8(machine_key(machine)).unwrap();
                    let filled = message.replace("{n}", &(40 + i).to_string());
                    want.clear();
                    want.extend_from_slice(level.as_bytes());
                    want.push(b'|');
                    template::write(
                        message_of(layout.name, &machine, &filled).as_bytes(),
                        &mut want,
                    );
                    assert_eq!(
                        String::from_utf8_lossy(&key),
                        String::from_utf8_lossy(&want),
                        "{}: {}",
                        layout.name,
                        String::from_utf8_lossy(line)
                    );
                }
            }
        }
    }
}
