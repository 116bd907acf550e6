//! Merge requests, their notes, and commits (their merge requests and comments).

use regex::Regex;
use serde_json::{Value, json};

use super::routes::{Call, Reply, allow, paginate};
use super::{CommitComment, DEFAULT_LABEL_COLOR, Label, MAX_NOTE_CHARS, Note, State};

/// Quick actions GitLab runs from a note on a merge request or a commit (a subset; enough
/// to catch any line that would run one).
const QUICK_ACTIONS: &[&str] = &[
    "approve",
    "assign",
    "assign_reviewer",
    "award",
    "close",
    "confidential",
    "copy_metadata",
    "done",
    "draft",
    "due",
    "estimate",
    "label",
    "lock",
    "merge",
    "milestone",
    "ready",
    "reassign",
    "rebase",
    "relabel",
    "remove_due_date",
    "reopen",
    "request_review",
    "shrug",
    "spend",
    "submit_review",
    "subscribe",
    "tag",
    "target_branch",
    "title",
    "todo",
    "unapprove",
    "unassign",
    "unlabel",
    "unlock",
    "wip",
];

fn web_url(state: &State, pi: usize) -> String {
    format!("{}/{}", state.origin, state.projects[pi].path)
}

fn mr_json(state: &State, pi: usize, iid: u64) -> Option<Value> {
    let project = &state.projects[pi];
    let mr = project.merge_requests.get(&iid)?;
    let mut labels = mr.labels.clone();
    labels.sort();
    Some(json!({
        "id": mr.id,
        "iid": mr.iid,
        "project_id": project.id,
        "title": format!("Change {iid}"),
        "state": mr.state,
        "sha": mr.sha,
        "labels": labels,
        "source_branch": format!("change-{iid}"),
        "target_branch": "main",
        "web_url": format!("{}/-/merge_requests/{iid}", web_url(state, pi)),
    }))
}

pub(super) fn get_mr(state: &mut State, call: &Call<'_>, iid: u64) -> Reply {
    allow(
        state,
        call,
        &[
            "render_html",
            "include_diverged_commits_count",
            "include_rebase_in_progress",
        ],
    );
    match mr_json(state, call.pi, iid) {
        Some(mr) => Reply::json(200, mr),
        None => Reply::message(404, "404 Not found"),
    }
}

/// The parameters of which `PUT /merge_requests/:iid` needs at least one.
const MR_UPDATE_ONE_OF: &[&str] = &[
    "assignee_id",
    "assignee_ids",
    "reviewer_ids",
    "description",
    "labels",
    "add_labels",
    "remove_labels",
    "milestone_id",
    "remove_source_branch",
    "state_event",
    "target_branch",
    "title",
    "discussion_locked",
    "squash",
];

pub(super) fn update_mr(state: &mut State, call: &Call<'_>, iid: u64) -> Reply {
    let mut known = MR_UPDATE_ONE_OF.to_vec();
    known.extend(["allow_collaboration", "allow_maintainer_to_push"]);
    allow(state, call, &known);
    if !state.projects[call.pi].merge_requests.contains_key(&iid) {
        return Reply::message(404, "404 Not found");
    }
    if !MR_UPDATE_ONE_OF.iter().any(|p| call.params.has(p)) {
        return Reply::error(
            400,
            &format!(
                "{} are missing, at least one parameter must be provided",
                MR_UPDATE_ONE_OF.join(", ")
            ),
        );
    }
    for name in ["labels", "add_labels", "remove_labels"] {
        for item in call.params.split_elements(name) {
            let parts = item.split(',').count();
            state.violate(
                call.line,
                format!(
                    "`{name}` element {item:?} holds a comma: GitLab splits it into {parts} labels"
                ),
            );
        }
    }
    let path = state.projects[call.pi].path.clone();
    if let Some(labels) = call.params.list("labels") {
        if let Some(mr) = state.projects[call.pi].merge_requests.get_mut(&iid) {
            mr.labels.clear();
        }
        attach_labels(state, &path, iid, &labels);
    }
    if let Some(remove) = call.params.list("remove_labels")
        && let Some(mr) = state.projects[call.pi].merge_requests.get_mut(&iid)
    {
        mr.labels.retain(|l| !remove.contains(l));
    }
    if let Some(add) = call.params.list("add_labels") {
        attach_labels(state, &path, iid, &add);
    }
    Reply::json(200, mr_json(state, call.pi, iid).unwrap_or_default())
}

/// Puts labels on a merge request, creating unknown ones in GitLab's default colour, as
/// GitLab does for a user who may create labels.
pub(super) fn attach_labels(state: &mut State, path: &str, iid: u64, names: &[String]) {
    for name in names {
        let id = state.id();
        let project = state.project_mut(path);
        if !project.labels.iter().any(|l| &l.name == name) {
            project.labels.push(Label {
                id,
                name: name.clone(),
                color: DEFAULT_LABEL_COLOR.to_owned(),
            });
        }
        if let Some(mr) = project.merge_requests.get_mut(&iid)
            && !mr.labels.contains(name)
        {
            mr.labels.push(name.clone());
        }
    }
}

pub(super) fn new_note(
    state: &mut State,
    iid: u64,
    author: &str,
    body: &str,
    system: bool,
) -> Note {
    let id = state.id();
    let now = state.tick();
    Note {
        id,
        mr_iid: iid,
        body: stored(body),
        author: author.to_owned(),
        system,
        created_at: now.clone(),
        updated_at: now,
    }
}

/// A body as GitLab stores it: carriage returns deleted, trailing white space trimmed.
fn stored(body: &str) -> String {
    body.replace('\r', "").trim_end().to_owned()
}

/// A user as GitLab shows one: the id is the same for every answer about one user.
pub(super) fn user_json(username: &str) -> Value {
    json!({
        "id": user_id(username),
        "username": username,
        "name": username,
        "state": "active",
        "locked": false,
        "avatar_url": null,
        "web_url": format!("https://gitlab.example.com/{username}"),
    })
}

/// A stable id for `username` (FNV-1a, kept below 2^31 as GitLab's ids are).
fn user_id(username: &str) -> u64 {
    let hash = username.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % 2_000_000_000 + 1
}

fn note_json(note: &Note) -> Value {
    json!({
        "id": note.id,
        "type": null,
        "body": note.body,
        "author": user_json(&note.author),
        "created_at": note.created_at,
        "updated_at": note.updated_at,
        "system": note.system,
        "noteable_type": "MergeRequest",
        "noteable_iid": note.mr_iid,
        "resolvable": false,
        "confidential": false,
        "internal": false,
    })
}

pub(super) fn list_notes(state: &mut State, call: &Call<'_>, iid: u64) -> Reply {
    allow(state, call, &["sort", "order_by", "page", "per_page"]);
    if !state.projects[call.pi].merge_requests.contains_key(&iid) {
        return Reply::message(404, "404 Not found");
    }
    let sort = call
        .params
        .text("sort")
        .unwrap_or_else(|| "desc".to_owned());
    let order_by = call
        .params
        .text("order_by")
        .unwrap_or_else(|| "created_at".to_owned());
    if !["asc", "desc"].contains(&sort.as_str()) {
        return Reply::error(400, "sort does not have a valid value");
    }
    if !["created_at", "updated_at"].contains(&order_by.as_str()) {
        return Reply::error(400, "order_by does not have a valid value");
    }
    let mut notes: Vec<&Note> = state.projects[call.pi]
        .notes
        .iter()
        .filter(|n| n.mr_iid == iid)
        .collect();
    notes.sort_by(|a, b| {
        let key = |n: &Note| {
            let at = if order_by == "updated_at" {
                n.updated_at.clone()
            } else {
                n.created_at.clone()
            };
            (at, n.id)
        };
        key(a).cmp(&key(b))
    });
    if sort == "desc" {
        notes.reverse();
    }
    let items: Vec<Value> = notes.into_iter().map(note_json).collect();
    paginate(state, call, items)
}

/// Checks a body GitLab is about to store: its length, and lines it would run.
fn check_body(state: &mut State, line: &str, field: &str, body: &str) -> Option<Reply> {
    let stored = stored(body);
    if stored.is_empty() {
        return Some(Reply::message(
            400,
            &format!("400 Bad request - Note {{:{field}=>[\"can't be blank\"]}}"),
        ));
    }
    if stored.chars().count() > MAX_NOTE_CHARS {
        return Some(Reply::message(
            400,
            "400 Bad request - Note {:note=>[\"is too long (maximum is 1000000 characters)\"]}",
        ));
    }
    let command = Regex::new(r"(?m)^/([A-Za-z_]+)(?:[ \t]|$)").expect("regex");
    for found in command.captures_iter(&stored) {
        let name = found[1].to_ascii_lowercase();
        if QUICK_ACTIONS.contains(&name.as_str()) {
            state.violate(line, format!("the body runs the quick action `/{name}`"));
        }
    }
    None
}

pub(super) fn create_note(state: &mut State, call: &Call<'_>, iid: u64) -> Reply {
    allow(
        state,
        call,
        &[
            "body",
            "created_at",
            "internal",
            "merge_request_diff_head_sha",
        ],
    );
    if !state.projects[call.pi].merge_requests.contains_key(&iid) {
        return Reply::message(404, "404 Not found");
    }
    let Some(body) = call.params.text("body") else {
        return Reply::error(400, "body is missing");
    };
    if let Some(reply) = check_body(state, call.line, "note", &body) {
        return reply;
    }
    let note = new_note(state, iid, call.user, &body, false);
    let json = note_json(&note);
    state.projects[call.pi].notes.push(note);
    Reply::json(201, json)
}

pub(super) fn one_note(
    state: &mut State,
    call: &Call<'_>,
    method: &str,
    iid: u64,
    id: u64,
) -> Reply {
    let Some(index) = state.projects[call.pi]
        .notes
        .iter()
        .position(|n| n.id == id && n.mr_iid == iid)
    else {
        return Reply::message(404, "404 Not found");
    };
    let note = state.projects[call.pi].notes[index].clone();
    match method {
        "GET" => Reply::json(200, note_json(&note)),
        "PUT" => {
            allow(state, call, &["body", "confidential"]);
            if note.system {
                state.violate(call.line, "edits a system note");
                return Reply::message(403, "403 Forbidden");
            }
            if note.author != call.user {
                state.violate(call.line, format!("edits a note of `{}`", note.author));
            }
            let Some(body) = call.params.text("body") else {
                return Reply::error(400, "body is missing");
            };
            if let Some(reply) = check_body(state, call.line, "note", &body) {
                return reply;
            }
            let now = state.tick();
            let note = &mut state.projects[call.pi].notes[index];
            note.body = stored(&body);
            note.updated_at = now;
            Reply::json(200, note_json(note))
        }
        "DELETE" => {
            allow(state, call, &[]);
            if note.system || note.author != call.user {
                state.violate(call.line, format!("deletes a note of `{}`", note.author));
            }
            state.projects[call.pi].notes.remove(index);
            Reply {
                status: 204,
                body: None,
                headers: Vec::new(),
            }
        }
        _ => Reply::error(405, "405 Not Allowed"),
    }
}

pub(super) fn commit_mrs(state: &mut State, call: &Call<'_>, sha: &str) -> Reply {
    allow(state, call, &["page", "per_page", "state"]);
    let project = &state.projects[call.pi];
    if !project.commits.contains(sha) {
        return Reply::message(404, "404 Commit Not Found");
    }
    let associated = project.commit_mrs.get(sha).cloned().unwrap_or_default();
    let iids: Vec<u64> = project
        .merge_requests
        .values()
        .filter(|mr| mr.sha == sha || associated.contains(&mr.iid))
        .map(|mr| mr.iid)
        .collect();
    let items: Vec<Value> = iids
        .iter()
        .filter_map(|iid| mr_json(state, call.pi, *iid))
        .collect();
    paginate(state, call, items)
}

pub(super) fn comment_commit(state: &mut State, call: &Call<'_>, sha: &str) -> Reply {
    allow(state, call, &["note", "path", "line", "line_type"]);
    if !state.projects[call.pi].commits.contains(sha) {
        return Reply::message(404, "404 Commit Not Found");
    }
    let Some(note) = call.params.text("note") else {
        return Reply::error(400, "note is missing");
    };
    if let Some(reply) = check_body(state, call.line, "note", &note) {
        return reply;
    }
    let now = state.tick();
    let comment = CommitComment {
        sha: sha.to_owned(),
        note: stored(&note),
        author: call.user.to_owned(),
    };
    let json = json!({
        "note": comment.note,
        "author": user_json(call.user),
        "path": null,
        "line": null,
        "line_type": null,
        "created_at": now,
    });
    state.projects[call.pi].commit_comments.push(comment);
    Reply::json(201, json)
}
