//! The help texts' shared parts: the exit codes, stated once (in
//! [`logmr::error::EXIT_CODES`]) and listed per command.

use logmr::error::EXIT_CODES;

/// `text`, then the exit codes among `codes` with what each means.
pub fn with_exit_codes(text: &str, codes: &[i32]) -> String {
    let mut help = format!("{text}\n\nExit codes:");
    for (code, meaning) in EXIT_CODES.iter().filter(|(c, _)| codes.contains(c)) {
        help.push_str(&format!("\n  {code}  {meaning}"));
    }
    help
}
