//! Sprig's random functions cannot be compared with Go's output, so their shape is
//! checked instead: length, alphabet and format, and that two calls differ.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tfnotify::template::{FuncSet, Mode, Template};

#[track_caller]
fn render(text: &str) -> String {
    Template::parse("t", text, Mode::Text, &FuncSet::standard())
        .expect("parses")
        .execute(&serde_json::json!({}))
        .expect("renders")
}

/// Which characters a function may draw.
type Alphabet = fn(char) -> bool;

#[test]
fn random_strings_have_their_length_and_alphabet() {
    let cases: [(&str, Alphabet); 4] = [
        ("randAlpha", |c| c.is_ascii_alphabetic()),
        ("randAlphaNum", |c| c.is_ascii_alphanumeric()),
        ("randNumeric", |c| c.is_ascii_digit()),
        ("randAscii", |c| (' '..='~').contains(&c)),
    ];
    for (f, allowed) in cases {
        let s = render(&format!("{{{{ {f} 2000 }}}}"));
        assert_eq!(s.len(), 2000, "{f}");
        assert!(s.chars().all(allowed), "{f}: {s}");
        assert_ne!(
            s,
            render(&format!("{{{{ {f} 2000 }}}}")),
            "{f} repeats itself"
        );
    }
    let digits = render("{{ randNumeric 2000 }}");
    assert!(
        ('0'..='9').all(|d| digits.contains(d)),
        "not every digit drawn"
    );
    let ascii = render("{{ randAscii 5000 }}");
    assert!(
        ascii.contains(' ') && ascii.contains('~'),
        "ends of the range never drawn"
    );
}

#[test]
fn rand_bytes_is_base64_of_that_many_bytes() {
    for n in [0, 1, 16, 31] {
        let s = render(&format!("{{{{ randBytes {n} }}}}"));
        assert_eq!(STANDARD.decode(&s).expect("base64").len(), n, "{s}");
    }
}

#[test]
fn rand_int_stays_in_its_range() {
    let out = render("{{ range until 200 }}{{ randInt -2 3 }} {{ end }}");
    let seen: Vec<i64> = out
        .split_whitespace()
        .map(|n| n.parse().expect("integer"))
        .collect();
    assert!(seen.iter().all(|n| (-2..3).contains(n)), "{seen:?}");
    assert!((-2..3).all(|n| seen.contains(&n)), "{seen:?}");
}

#[test]
fn uuidv4_is_a_random_version_4_uuid() {
    let id = render("{{ uuidv4 }}");
    let groups: Vec<&str> = id.split('-').collect();
    assert_eq!(
        groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12],
        "{id}"
    );
    assert!(
        id.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "{id}"
    );
    assert!(groups[2].starts_with('4'), "{id}");
    assert!(groups[3].starts_with(['8', '9', 'a', 'b']), "{id}");
    assert_ne!(id, render("{{ uuidv4 }}"));
}

#[test]
fn bcrypt_and_htpasswd_make_go_style_hashes_that_verify() {
    let hash = render(r#"{{ bcrypt "s3cret" }}"#);
    assert!(hash.starts_with("$2a$10$") && hash.len() == 60, "{hash}");
    assert!(bcrypt::verify("s3cret", &hash).expect("valid hash"));
    let line = render(r#"{{ htpasswd "admin" "pw" }}"#);
    let (user, hash) = line.split_once(':').expect("user:hash");
    assert_eq!(user, "admin");
    assert!(bcrypt::verify("pw", hash).expect("valid hash"));
}

#[test]
fn shuffle_permutes_the_characters() {
    let text = "abcdéfghij0123456789";
    let out = render(&format!("{{{{ shuffle \"{text}\" }}}}"));
    let sorted = |s: &str| {
        let mut v: Vec<char> = s.chars().collect();
        v.sort_unstable();
        v
    };
    assert_eq!(sorted(&out), sorted(text));
}

#[test]
fn encrypt_aes_is_random_and_round_trips() {
    let sealed = render(r#"{{ encryptAES "key" "attack at dawn" }}"#);
    assert_eq!(STANDARD.decode(&sealed).expect("base64").len(), 32);
    assert_ne!(sealed, render(r#"{{ encryptAES "key" "attack at dawn" }}"#));
    assert_eq!(
        render(&format!(r#"{{{{ decryptAES "key" "{sealed}" }}}}"#)),
        "attack at dawn"
    );
}
