//! Walks `tests/fixtures/terraform` so a new fixture needs no code.

use std::fs;
use std::path::{Path, PathBuf};

use tfnotify::model::Command;

/// The root of the Terraform fixtures.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform")
}

/// One captured output.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// `<version>/<name>.<kind>`, stable and unique: the snapshot name.
    pub id: String,
    pub version: String,
    /// File name without the kind, e.g. `plan_create_only`.
    pub name: String,
    /// `txt`, `color.txt` or `json`.
    pub kind: String,
    pub path: PathBuf,
    pub command: Command,
}

impl Fixture {
    /// The file's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        fs::read(&self.path).unwrap_or_else(|e| panic!("{}: {e}", self.path.display()))
    }

    /// The recorded exit code of the run that produced this file, if any.
    pub fn exit_code(&self) -> Option<i32> {
        let dir = self.path.parent().expect("fixture has a folder");
        let exit = match self.kind.as_str() {
            "json" => dir.join(format!("{}.json.exit", self.name)),
            "color.txt" => {
                let color = dir.join(format!("{}.color.exit", self.name));
                if color.exists() {
                    color
                } else {
                    dir.join(format!("{}.exit", self.name))
                }
            }
            _ => dir.join(format!("{}.exit", self.name)),
        };
        let text = fs::read_to_string(exit).ok()?;
        text.trim().parse().ok()
    }

    /// Whether the file came from real Terraform rather than being written by hand.
    pub fn is_real(&self) -> bool {
        self.version == "1.11"
    }
}

/// Every fixture that is a whole output of one command.
pub fn all() -> Vec<Fixture> {
    let mut fixtures = Vec::new();
    let mut versions: Vec<_> = fs::read_dir(root())
        .expect("fixtures folder")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .collect();
    versions.sort_by_key(fs::DirEntry::file_name);
    for version in versions {
        let version_name = version.file_name().to_string_lossy().into_owned();
        let mut files: Vec<_> = fs::read_dir(version.path())
            .expect("version folder")
            .filter_map(Result::ok)
            .collect();
        files.sort_by_key(fs::DirEntry::file_name);
        for file in files {
            let file_name = file.file_name().to_string_lossy().into_owned();
            let Some((name, kind)) = split_kind(&file_name) else {
                continue;
            };
            let Some(command) = command_of(name) else {
                continue;
            };
            fixtures.push(Fixture {
                id: format!("{version_name}/{file_name}"),
                version: version_name.clone(),
                name: name.to_owned(),
                kind: kind.to_owned(),
                path: file.path(),
                command,
            });
        }
    }
    fixtures
}

/// `plan_x.color.txt` into (`plan_x`, `color.txt`); `None` for files that are not outputs.
fn split_kind(file_name: &str) -> Option<(&str, &str)> {
    for kind in ["color.txt", "txt", "json"] {
        if let Some(name) = file_name.strip_suffix(&format!(".{kind}")) {
            if name.contains('.') {
                return None; // .stdout.txt, .stderr.txt, .json.stderr.txt
            }
            return Some((name, kind));
        }
    }
    None
}

fn command_of(name: &str) -> Option<Command> {
    Some(match name.split('_').next()? {
        "plan" => Command::Plan,
        "apply" => Command::Apply,
        "destroy" => Command::Destroy,
        "fmt" => Command::Fmt,
        "validate" => Command::Validate,
        _ => return None,
    })
}
