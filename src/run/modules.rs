//! Terragrunt `run-all`: each module delivered as a run of its own, or all in one message.
//!
//! A reviewer of a monorepo reads one module at a time, and a module's plan is what one
//! Terraform run in its directory would have planned; so by default each module gets what
//! a run of its own would get: its own comment (its target is the module's directory), its
//! own labels, its own protected-resource check and its own `--output` section. The exit
//! code and the stderr summary stay the whole run's, decided elsewhere from the joined
//! report. `--consolidated` (or `terraform.consolidated`) delivers the joined report once.

use std::path::Path;

use crate::cli::RunArgs;
use crate::model::Report;
use crate::run::deliver::{Delivered, Deliveries};
use crate::settings::{Settings, World};

/// Delivers `report`: once, or once per module when it is a Terragrunt run of several
/// modules that is not consolidated. Returns the delivery errors.
pub(super) fn deliver(
    deliveries: &Deliveries,
    args: &RunArgs,
    settings: &Settings,
    world: &World<'_>,
    report: &Report,
    child_code: Option<i32>,
) -> Delivered {
    if is_one_delivery(args, settings, report) {
        return deliveries.deliver(args, settings, report, child_code);
    }
    let run_target = settings.vars.get("target").map(String::as_str);
    let mut errors = Vec::new();
    // One comment per module: no one comment is the run's (`--report-file` names none).
    for module in &report.modules {
        let mut own = module.report.clone();
        settings.guard.mark(&mut own);
        let target = module_target(run_target, &module.dir, &world.cwd);
        errors.extend(deliveries.deliver_as(target.as_deref(), args, settings, world, &own));
    }
    Delivered {
        errors,
        comment_url: None,
    }
}

/// Whether `report` is delivered as one message (not once per module).
pub(super) fn is_one_delivery(args: &RunArgs, settings: &Settings, report: &Report) -> bool {
    args.consolidated || settings.config.terraform.consolidated || report.modules.len() < 2
}

/// The target of a module's deliveries: its directory as Terragrunt named it (relative to
/// the working directory when that is where an absolute one lies, so it reads as in the
/// repository), under the run's own target when there is one (`prod/live/vpc`). Lines
/// Terragrunt printed without a directory belong to the run's own target.
fn module_target(run: Option<&str>, dir: &str, cwd: &Path) -> Option<String> {
    let run = run.filter(|t| !t.is_empty());
    let relative = Path::new(dir)
        .strip_prefix(cwd)
        .ok()
        .filter(|_| Path::new(dir).is_absolute())
        .and_then(Path::to_str)
        .map_or(dir, |rest| if rest.is_empty() { "." } else { rest });
    let dir = relative.strip_prefix("./").unwrap_or(relative);
    let dir = dir
        .strip_suffix('/')
        .filter(|d| !d.is_empty())
        .unwrap_or(dir);
    match (run, dir) {
        (run, "") => run.map(str::to_owned),
        (None, dir) => Some(dir.to_owned()),
        (Some(run), dir) => Some(format!("{run}/{dir}")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::module_target;

    #[track_caller]
    fn case(run: Option<&str>, dir: &str, expected: Option<&str>) {
        let cwd = Path::new("/home/ci/work/infra");
        assert_eq!(module_target(run, dir, cwd).as_deref(), expected);
    }

    #[test]
    fn a_module_is_named_by_its_directory_under_the_runs_target() {
        case(None, "live/vpc", Some("live/vpc"));
        case(Some("prod"), "live/vpc", Some("prod/live/vpc"));
        case(Some(""), "live/vpc", Some("live/vpc"));
        case(None, "./live/vpc/", Some("live/vpc"));
        // Before Terragrunt 0.67 the prefix is the absolute directory.
        case(None, "/home/ci/work/infra/live/app", Some("live/app"));
        case(None, "/home/ci/work/infra", Some("."));
        case(None, "/elsewhere/app", Some("/elsewhere/app"));
        // Lines without a directory are the run's own.
        case(None, "", None);
        case(Some("prod"), "", Some("prod"));
    }
}
