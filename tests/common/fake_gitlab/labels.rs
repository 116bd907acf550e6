//! Project labels: list, get by id or title, create, update.

use serde_json::{Value, json};

use super::routes::{Call, Reply, allow, paginate};
use super::{Label, State};

/// The longest label title GitLab stores.
const MAX_TITLE_CHARS: usize = 255;

/// `GET /projects/:id/labels`.
pub(super) fn list_labels(state: &mut State, call: &Call<'_>) -> Reply {
    allow(
        state,
        call,
        &[
            "page",
            "per_page",
            "with_counts",
            "search",
            "include_ancestor_groups",
        ],
    );
    let labels: Vec<Value> = state.projects[call.pi]
        .labels
        .iter()
        .map(label_json)
        .collect();
    paginate(state, call, labels)
}

/// `GET /projects/:id/labels/:label_id`, where the id may be the title.
pub(super) fn get_label(state: &mut State, call: &Call<'_>, key: &str) -> Reply {
    allow(state, call, &["include_ancestor_groups"]);
    let labels = &state.projects[call.pi].labels;
    match find_label(labels, key) {
        Some(i) => Reply::json(200, label_json(&labels[i])),
        None => Reply::message(404, "404 Label Not Found"),
    }
}

fn label_json(label: &Label) -> Value {
    json!({
        "id": label.id,
        "name": label.name,
        "color": label.color,
        "text_color": "#FFFFFF",
        "description": null,
        "description_html": "",
        "open_issues_count": 0,
        "closed_issues_count": 0,
        "open_merge_requests_count": 0,
        "subscribed": false,
        "priority": null,
        "is_project_label": true,
    })
}

fn find_label(labels: &[Label], key: &str) -> Option<usize> {
    key.parse::<u64>()
        .ok()
        .and_then(|id| labels.iter().position(|l| l.id == id))
        .or_else(|| labels.iter().position(|l| l.name == key))
}

fn valid_colour(colour: &str) -> bool {
    colour.strip_prefix('#').is_some_and(|hex| {
        (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|c| c.is_ascii_hexdigit())
    })
}

fn bad_colour() -> Reply {
    Reply::json(
        400,
        json!({ "message": { "color": ["must be a valid color code"] } }),
    )
}

pub(super) fn create_label(state: &mut State, call: &Call<'_>) -> Reply {
    allow(state, call, &["name", "color", "description", "priority"]);
    let Some(name) = call.params.text("name") else {
        return Reply::error(400, "name is missing");
    };
    let Some(color) = call.params.text("color") else {
        return Reply::error(400, "color is missing");
    };
    if !valid_colour(&color) {
        return bad_colour();
    }
    // GitLab's `Label` validates `title` against `/\A[^,]+\z/` and 255 characters.
    if name.contains(',') {
        return Reply::json(400, json!({ "message": { "title": ["is invalid"] } }));
    }
    if name.chars().count() > MAX_TITLE_CHARS {
        return Reply::json(
            400,
            json!({ "message": { "title": ["is too long (maximum is 255 characters)"] } }),
        );
    }
    if state.projects[call.pi]
        .labels
        .iter()
        .any(|l| l.name == name)
    {
        return Reply::message(409, "Label already exists");
    }
    let label = Label {
        id: state.id(),
        name,
        color,
    };
    let json = label_json(&label);
    state.projects[call.pi].labels.push(label);
    Reply::json(201, json)
}

pub(super) fn update_label(state: &mut State, call: &Call<'_>, key: &str) -> Reply {
    const ONE_OF: &[&str] = &["new_name", "color", "description", "priority"];
    allow(state, call, ONE_OF);
    let Some(index) = find_label(&state.projects[call.pi].labels, key) else {
        return Reply::message(404, "404 Label Not Found");
    };
    if !ONE_OF.iter().any(|p| call.params.has(p)) {
        return Reply::error(
            400,
            "new_name, color, description, priority are missing, at least one parameter must be provided",
        );
    }
    if let Some(color) = call.params.text("color") {
        if !valid_colour(&color) {
            return bad_colour();
        }
        state.projects[call.pi].labels[index].color = color;
    }
    if let Some(name) = call.params.text("new_name") {
        state.projects[call.pi].labels[index].name = name;
    }
    Reply::json(200, label_json(&state.projects[call.pi].labels[index]))
}
