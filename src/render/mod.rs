//! `ehcpack render`: the request pack as one PDF.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::Common;

#[derive(clap::Args, Debug)]
pub struct RenderArgs {
    /// The case folder
    #[arg(value_name = "CASE")]
    pub case: PathBuf,
    /// Where to write the PDF
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Render even when the case has errors, marking every page "DRAFT - not ready to send"
    #[arg(long)]
    pub draft: bool,
    /// A folder of Tera templates to use instead of the built-in ones
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// Runs `ehcpack render`; returns the exit status.
pub fn run(_args: &RenderArgs, _out: &mut dyn Write) -> Result<i32, String> {
    Err("render is not built yet".into())
}
