//! The inputs of a command: what the arguments name ([`expand`]), how
//! their wildcards match (`glob`), how directories are listed (`fs`), and
//! what their bytes hold ([`decode`]).

pub mod decode;
pub mod expand;
mod fs;
mod glob;

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use crate::error::{Error, Result};

/// One input of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    Path(PathBuf),
}

impl Input {
    /// Opens the input for reading.
    pub fn open(&self) -> Result<Box<dyn Read + Send>> {
        match self {
            Input::Stdin => Ok(Box::new(io::stdin())),
            Input::Path(path) => File::open(path)
                .map(|f| Box::new(f) as Box<dyn Read + Send>)
                .map_err(|source| self.read_error(source)),
        }
    }

    /// The size in bytes when it is known up front (a regular file).
    pub fn known_size(&self) -> Option<u64> {
        match self {
            Input::Stdin => None,
            Input::Path(path) => std::fs::metadata(path)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len()),
        }
    }

    /// A read error with this input named.
    pub fn read_error(&self, source: io::Error) -> Error {
        Error::Read {
            input: self.to_string(),
            source,
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Stdin => f.write_str("<stdin>"),
            Input::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_names_the_path() {
        let err = match Input::Path("/nonexistent/x.log".into()).open() {
            Err(e) => e,
            Ok(_) => panic!("opened a missing file"),
        };
        assert!(
            err.to_string()
                .starts_with("cannot read /nonexistent/x.log: "),
            "{err}"
        );
        assert_eq!(err.exit_code(), crate::error::EXIT_IO);
    }
}
