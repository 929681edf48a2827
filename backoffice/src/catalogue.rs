//! What the storefront sells and in which languages: its extension groups
//! (each with a name per language, its extensions in order, and those
//! featured on the home page) and the languages shown, the first of them
//! the default. The platform's catalogue says which extensions exist; the
//! check refuses an extension the reseller's plan does not sell.

use crate::edit::FieldError;
use std::collections::BTreeMap;
use storefront_core::Locale;
use storefront_generator::content::{Group, Site, Text, valid_id};

pub const MAX_GROUPS: usize = 12;
const LANGUAGES: [Locale; 3] = [Locale::En, Locale::Id, Locale::Pl];

use crate::typed::{list, one_line};

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct GroupRow {
    pub id: String,
    pub names: BTreeMap<String, String>,
    pub extensions: String,
    pub featured: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueForm {
    /// Languages shown, the default first.
    pub languages: Vec<String>,
    pub groups: Vec<GroupRow>,
    /// Register names before their documents are approved.
    pub auto: bool,
    /// Days the documents have when registered first, as typed.
    pub due_days: String,
    /// Per extension that asks for documents: "auto", "wait", or "" (as
    /// `auto` says).
    pub per_extension: BTreeMap<String, String>,
}

impl CatalogueForm {
    pub fn of(site: &Site) -> CatalogueForm {
        let name_in = |t: &Text, l: Locale| match t {
            Text::Plain(s) => s.clone(),
            Text::PerLanguage(m) => m.get(&l).cloned().unwrap_or_default(),
        };
        CatalogueForm {
            languages: site
                .languages
                .iter()
                .map(|l| l.code().to_string())
                .collect(),
            groups: site
                .groups
                .iter()
                .map(|g| GroupRow {
                    id: g.id.clone(),
                    names: site
                        .languages
                        .iter()
                        .map(|l| (l.code().to_string(), name_in(&g.name, *l)))
                        .collect(),
                    extensions: g.extensions.join(", "),
                    featured: g.featured.join(", "),
                })
                .collect(),
            auto: site.provisioning.auto,
            due_days: site.provisioning.documents_due_days.to_string(),
            per_extension: site
                .provisioning
                .extensions
                .iter()
                .map(|(e, p)| (e.clone(), if p.auto { "auto" } else { "wait" }.to_string()))
                .collect(),
        }
    }

    pub fn from_fields(fields: &[(String, String)]) -> CatalogueForm {
        let f: BTreeMap<&str, &str> = fields.iter().map(|(k, v)| (k.as_str(), v.trim())).collect();
        let get = |k: &str| f.get(k).map_or(String::new(), |v| (*v).to_string());
        // The default first, then the others ticked, in a stable order.
        let default = get("default_language");
        let mut languages = vec![default.clone()];
        for l in LANGUAGES {
            let code = l.code();
            if code != default && fields.iter().any(|(k, v)| k == "language" && v == code) {
                languages.push(code.to_string());
            }
        }
        let mut groups = Vec::new();
        for i in 0..MAX_GROUPS {
            let g = |n: &str| get(&format!("group_{i}_{n}"));
            let names: BTreeMap<String, String> = LANGUAGES
                .iter()
                .filter(|l| f.contains_key(format!("group_{i}_name_{}", l.code()).as_str()))
                .map(|l| (l.code().to_string(), g(&format!("name_{}", l.code()))))
                .collect();
            let row = GroupRow {
                id: g("id"),
                names,
                extensions: g("extensions"),
                featured: g("featured"),
            };
            if !(row.id.is_empty()
                && row.extensions.is_empty()
                && row.names.values().all(String::is_empty))
            {
                groups.push(row);
            }
        }
        let per_extension = fields
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    k.strip_prefix("provision_")?.to_string(),
                    v.trim().to_string(),
                ))
            })
            .collect();
        CatalogueForm {
            languages,
            groups,
            auto: get("provisioning_auto") == "on",
            due_days: get("documents_due_days"),
            per_extension,
        }
    }

    pub fn apply(&self, doc: &mut toml_edit::DocumentMut) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let languages: Vec<Locale> = self
            .languages
            .iter()
            .filter_map(|l| l.parse::<Locale>().ok())
            .collect();
        if languages.len() != self.languages.len() || languages.is_empty() {
            errors.push(FieldError::new(
                "default_language",
                "error_language",
                self.languages.join(", "),
            ));
        }
        if self.groups.is_empty() {
            errors.push(FieldError::new("group_0_id", "error_no_groups", ""));
        }
        let mut ids = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for (i, row) in self.groups.iter().enumerate() {
            let at = |n: &str| format!("group_{i}_{n}");
            if !valid_id(&row.id) || !ids.insert(row.id.clone()) {
                errors.push(FieldError::new(at("id"), "error_group_id", &row.id));
            }
            let extensions = list(&row.extensions);
            if extensions.is_empty() {
                errors.push(FieldError::new(
                    at("extensions"),
                    "error_extensions_required",
                    "",
                ));
            }
            let featured = list(&row.featured);
            for f in &featured {
                if !extensions.contains(f) {
                    errors.push(FieldError::new(
                        at("featured"),
                        "error_featured",
                        f.as_str(),
                    ));
                }
            }
            let mut names = BTreeMap::new();
            for l in &languages {
                let n = row.names.get(l.code()).map_or("", String::as_str);
                if n.is_empty() || !one_line(n, 60) {
                    errors.push(FieldError::new(
                        at(&format!("name_{}", l.code())),
                        "error_group_name_text",
                        "",
                    ));
                }
                names.insert(*l, n.to_string());
            }
            out.push(Group {
                id: row.id.clone(),
                name: Text::PerLanguage(names),
                extensions,
                featured,
            });
        }
        // Left out (a form without the field): the default, 3 days.
        let typed = if self.due_days.is_empty() {
            "3"
        } else {
            self.due_days.as_str()
        };
        let due_days = typed.parse::<u16>().ok().filter(|d| (1..=60).contains(d));
        if due_days.is_none() {
            errors.push(FieldError::new(
                "documents_due_days",
                "error_due_days",
                &self.due_days,
            ));
        }
        for (ext, choice) in &self.per_extension {
            if !matches!(choice.as_str(), "" | "auto" | "wait") {
                errors.push(FieldError::new(
                    format!("provision_{ext}"),
                    "error_provision",
                    choice,
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        self.apply_provisioning(doc, due_days.unwrap_or(3));
        let mut langs = toml_edit::Array::new();
        for l in &languages {
            langs.push(l.code());
        }
        doc.insert("languages", toml_edit::value(langs));
        let mut groups = toml_edit::ArrayOfTables::new();
        for g in out {
            let mut t = toml_edit::Table::new();
            t.insert("id", toml_edit::value(g.id));
            let mut name = toml_edit::InlineTable::new();
            if let Text::PerLanguage(m) = &g.name {
                for (l, n) in m {
                    name.insert(l.code(), n.as_str().into());
                }
            }
            t.insert("name", toml_edit::value(name));
            let array = |v: &[String]| {
                let mut a = toml_edit::Array::new();
                for e in v {
                    a.push(e.as_str());
                }
                toml_edit::value(a)
            };
            t.insert("extensions", array(&g.extensions));
            if !g.featured.is_empty() {
                t.insert("featured", array(&g.featured));
            }
            groups.push(t);
        }
        doc.insert("groups", toml_edit::Item::ArrayOfTables(groups));
        Ok(())
    }
}

impl CatalogueForm {
    /// `[provisioning]`: written when it is there already or says
    /// something other than the defaults (wait for documents, 3 days).
    fn apply_provisioning(&self, doc: &mut toml_edit::DocumentMut, due_days: u16) {
        let overrides: Vec<(&String, bool)> = self
            .per_extension
            .iter()
            .filter(|(_, c)| !c.is_empty())
            .map(|(e, c)| (e, c == "auto"))
            .collect();
        let defaults = !self.auto && due_days == 3 && overrides.is_empty();
        if defaults && !doc.contains_table("provisioning") {
            return;
        }
        if !doc.contains_table("provisioning") {
            doc.insert("provisioning", toml_edit::table());
        }
        let Some(t) = doc["provisioning"].as_table_mut() else {
            return;
        };
        t.insert("auto", toml_edit::value(self.auto));
        t.insert("documents_due_days", toml_edit::value(i64::from(due_days)));
        if overrides.is_empty() {
            t.remove("extensions");
            return;
        }
        let mut exts = toml_edit::Table::new();
        exts.set_implicit(true);
        for (ext, auto) in overrides {
            let mut e = toml_edit::Table::new();
            e.insert("auto", toml_edit::value(auto));
            exts.insert(ext, toml_edit::Item::Table(e));
        }
        t.insert("extensions", toml_edit::Item::Table(exts));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisioning_is_written_per_extension() {
        let form = CatalogueForm::from_fields(&fields(&[
            ("default_language", "id"),
            ("group_0_id", "indonesia"),
            ("group_0_name_id", "Domain Indonesia"),
            ("group_0_extensions", "co.id, my.id"),
            ("provisioning_auto", "on"),
            ("documents_due_days", "3"),
            ("provision_co.id", "wait"),
            ("provision_my.id", ""),
        ]));
        let mut doc: toml_edit::DocumentMut = "languages = [\"id\"]\n".parse().unwrap();
        form.apply(&mut doc).unwrap();
        let out = doc.to_string();
        assert!(
            out.contains("[provisioning]\nauto = true\ndocuments_due_days = 3\n\n[provisioning.extensions.\"co.id\"]\nauto = false\n"),
            "{out}"
        );
        let bad = CatalogueForm {
            due_days: "90".into(),
            ..form
        };
        let errors = bad.apply(&mut doc).unwrap_err();
        assert_eq!(errors[0].field, "documents_due_days");
    }

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn groups_and_languages_are_written() {
        let form = CatalogueForm::from_fields(&fields(&[
            ("default_language", "id"),
            ("language", "en"),
            ("language", "id"),
            ("group_0_id", "indonesia"),
            ("group_0_name_id", "Domain Indonesia"),
            ("group_0_name_en", "Indonesian domains"),
            ("group_0_extensions", ".co.id, my.id"),
            ("group_0_featured", "co.id"),
            ("group_1_id", ""),
        ]));
        assert_eq!(form.languages, vec!["id", "en"]);
        let mut doc: toml_edit::DocumentMut = "languages = [\"en\"]\n".parse().unwrap();
        form.apply(&mut doc).unwrap();
        let out = doc.to_string();
        assert!(out.starts_with("languages = [\"id\", \"en\"]\n"), "{out}");
        assert!(
            out.contains("extensions = [\"co.id\", \"my.id\"]\nfeatured = [\"co.id\"]"),
            "{out}"
        );
    }

    #[test]
    fn bad_groups_name_their_fields() {
        let form = CatalogueForm::from_fields(&fields(&[
            ("default_language", "fr"),
            ("group_0_id", "Indonesia!"),
            ("group_0_extensions", "co.id"),
            ("group_0_featured", "com"),
        ]));
        let errors = form.apply(&mut toml_edit::DocumentMut::new()).unwrap_err();
        let got: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            got,
            vec!["default_language", "group_0_id", "group_0_featured"]
        );
    }
}
