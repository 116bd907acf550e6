//! Small readers shared by the platform files: non-empty variables, PR numbers, repository
//! slugs and git URLs. Kept here so every platform treats empty values, `false` and URL
//! credentials the same way.

use super::Env;

/// Owner, repository and web base parsed from a git remote URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RepoUrl {
    pub(super) server_url: String,
    pub(super) owner: String,
    pub(super) repo: String,
}

/// The trimmed value of `name`; `None` when unset or blank, because CIs export empty
/// variables for "not applicable" (`CIRCLE_PULL_REQUEST=` on branch builds).
pub(super) fn get(env: &dyn Env, name: &str) -> Option<String> {
    env.var(name)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// The first of `names` that is set.
pub(super) fn first(env: &dyn Env, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| get(env, name))
}

/// A PR number from a variable the CI sets. `false` (Travis, Buildkite) and `0` mean "not a
/// PR"; anything else unparsable is the CI's odd value, so it becomes a warning, not an error.
pub(super) fn pr_number(env: &dyn Env, name: &str, warnings: &mut Vec<String>) -> Option<u64> {
    let value = get(env, name)?;
    if value.eq_ignore_ascii_case("false") {
        return None;
    }
    match value.parse::<u64>() {
        Ok(0) => None,
        Ok(number) => Some(number),
        Err(_) => {
            warnings.push(format!(
                "ignoring `{name}`=`{value}`: not a pull request number"
            ));
            None
        }
    }
}

/// A small counter such as a run attempt; unparsable values are simply absent.
pub(super) fn counter(env: &dyn Env, name: &str) -> Option<u32> {
    get(env, name)?.parse().ok()
}

/// The number at the end of a PR URL (`…/pull/123`), as classic tfnotify's `[1-9]\d*$`.
pub(super) fn trailing_number(text: &str) -> Option<u64> {
    let text = text.trim_end_matches('/');
    let digits = text.len() - text.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    text[text.len() - digits..]
        .parse()
        .ok()
        .filter(|number| *number > 0)
}

/// Splits `owner/repo` at the last `/`, so GitLab's nested `group/sub/project` keeps the
/// whole namespace as owner.
pub(super) fn split_slug(slug: &str) -> Option<(String, String)> {
    let slug = slug.trim().trim_matches('/');
    let slug = slug.strip_suffix(".git").unwrap_or(slug);
    let (owner, repo) = slug.rsplit_once('/')?;
    (!owner.is_empty() && !repo.is_empty()).then(|| (owner.to_owned(), repo.to_owned()))
}

/// `refs/heads/main` → `main`; other refs pass through.
pub(super) fn strip_heads(reference: &str) -> String {
    reference
        .strip_prefix("refs/heads/")
        .unwrap_or(reference)
        .to_owned()
}

/// Parses `https://host/owner/repo(.git)`, `ssh://git@host:22/owner/repo.git` and
/// `git@host:owner/repo.git`. Credentials in the URL are dropped so a token never reaches a
/// comment, and ssh hosts become `https://host` because that is where the web UI is.
pub(super) fn parse_repo_url(url: &str) -> Option<RepoUrl> {
    let url = url.trim();
    let (server_url, path) = if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/')?;
        let host = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        let server_url = match scheme.to_ascii_lowercase().as_str() {
            "https" | "http" => format!("{scheme}://{host}"),
            "ssh" | "git" | "git+ssh" => {
                format!("https://{}", host.split(':').next().unwrap_or(host))
            }
            _ => return None,
        };
        (server_url, path)
    } else {
        let (user_host, path) = url.split_once(':')?;
        if user_host.contains('/') {
            return None;
        }
        let host = user_host
            .rsplit_once('@')
            .map_or(user_host, |(_, host)| host);
        (format!("https://{host}"), path)
    };
    if server_url.len() <= "https://".len() {
        return None;
    }
    let (owner, repo) = split_slug(path)?;
    Some(RepoUrl {
        server_url,
        owner,
        repo,
    })
}

/// The REST base for a GitHub web URL: `api.github.com` for github.com, `/api/v3` for GHES.
pub(super) fn github_api_url(server_url: &str) -> String {
    let server_url = server_url.trim_end_matches('/');
    if server_url.eq_ignore_ascii_case("https://github.com") {
        "https://api.github.com".to_owned()
    } else {
        format!("{server_url}/api/v3")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::vars;
    use super::{RepoUrl, github_api_url, parse_repo_url, pr_number, split_slug, trailing_number};

    #[track_caller]
    fn url_case(url: &str, expected: Option<(&str, &str, &str)>) {
        let expected = expected.map(|(server_url, owner, repo)| RepoUrl {
            server_url: server_url.to_owned(),
            owner: owner.to_owned(),
            repo: repo.to_owned(),
        });
        assert_eq!(parse_repo_url(url), expected, "{url}");
    }

    #[test]
    fn repo_urls() {
        url_case(
            "https://github.com/octo/hello.git",
            Some(("https://github.com", "octo", "hello")),
        );
        url_case(
            "https://x-access-token:ghs_secret@github.example.com/octo/hello",
            Some(("https://github.example.com", "octo", "hello")),
        );
        url_case(
            "git@gitlab.com:group/sub/project.git",
            Some(("https://gitlab.com", "group/sub", "project")),
        );
        url_case(
            "ssh://git@git.example.com:2222/team/infra.git",
            Some(("https://git.example.com", "team", "infra")),
        );
        url_case(
            "http://localhost:3000/team/infra/",
            Some(("http://localhost:3000", "team", "infra")),
        );
        url_case("s3://bucket/key.zip", None);
        url_case("https://github.com/octo", None);
        url_case("not a url", None);
    }

    #[test]
    fn slugs_and_numbers() {
        assert_eq!(
            split_slug("a/b/c"),
            Some(("a/b".to_owned(), "c".to_owned()))
        );
        assert_eq!(split_slug("solo"), None);
        assert_eq!(trailing_number("https://github.com/o/r/pull/42"), Some(42));
        assert_eq!(trailing_number("https://github.com/o/r/pull/42/"), Some(42));
        assert_eq!(trailing_number("none"), None);
        assert_eq!(trailing_number("pull/0"), None);
        assert_eq!(
            github_api_url("https://github.com/"),
            "https://api.github.com"
        );
        assert_eq!(
            github_api_url("https://ghe.corp"),
            "https://ghe.corp/api/v3"
        );
    }

    #[test]
    fn pr_numbers_from_ci_values() {
        let env = vars(&[
            ("A", "12"),
            ("B", "false"),
            ("C", "x1"),
            ("D", " "),
            ("E", "0"),
        ]);
        let mut warnings = Vec::new();
        assert_eq!(pr_number(&env, "A", &mut warnings), Some(12));
        assert_eq!(pr_number(&env, "B", &mut warnings), None);
        assert_eq!(pr_number(&env, "D", &mut warnings), None);
        assert_eq!(pr_number(&env, "E", &mut warnings), None);
        assert_eq!(pr_number(&env, "MISSING", &mut warnings), None);
        assert!(warnings.is_empty());
        assert_eq!(pr_number(&env, "C", &mut warnings), None);
        assert_eq!(warnings, ["ignoring `C`=`x1`: not a pull request number"]);
    }
}
