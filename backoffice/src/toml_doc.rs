//! Small edits of `site.toml` that keep what the reseller wrote around
//! them: a comment after a value stays when the value changes.

/// Set `key` to a string, keeping a comment written after the old value.
pub fn set(table: &mut toml_edit::Table, key: &str, text: String) {
    match table.get_mut(key).and_then(|i| i.as_value_mut()) {
        Some(v) => replace_keeping_comment(v, text),
        None => {
            table.insert(key, toml_edit::value(text));
        }
    }
}

pub fn replace_keeping_comment(v: &mut toml_edit::Value, text: String) {
    let decor = v.decor().clone();
    *v = toml_edit::Value::from(text);
    *v.decor_mut() = decor;
}
