//! One test per kind of `check` error. Each case is a real folder under
//! fixtures/invalid/ laid over the valid fixture; its expect.txt names the
//! file, the line and the words the report must contain.

use std::fs;
use storefront_e2e::{check_output, fixtures, project};

fn expect(case: &str) {
    let dir = project(Some(case));
    let report = check_output(dir.path()).expect_err("check must fail");
    let expected = fs::read_to_string(fixtures().join("invalid").join(case).join("expect.txt"))
        .expect("expect.txt");
    for want in expected.lines().filter(|l| !l.trim().is_empty()) {
        // "file:line: words" must appear as one line of the report.
        let (location, words) = match want.split_once(": ") {
            Some((loc, words)) => (loc, words),
            None => panic!("bad expect line {want:?}"),
        };
        let found = report
            .lines()
            .any(|l| l.starts_with(&format!("{location}: ")) && l.contains(words));
        assert!(
            found,
            "case {case}: expected a line `{location}: ...{words}...` in:\n{report}"
        );
    }
    assert!(
        report.trim_end().ends_with("found"),
        "the report ends with a count:\n{report}"
    );
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { expect(stringify!($name)); } )*
        const CASES: &[&str] = &[$(stringify!($name)),*];
    };
}

cases! {
    bad_colour, bad_email, bad_nip_checksum, document_retention_zero, below_cost, catalogue_bad_years, control_char_legal_name,
    currency_mismatch, duplicate_bank_account, duplicate_domain, featured_not_in_group,
    float_amount, inclusive_markup_below_tax, platform_tax_missing, platform_tax_twice, unknown_time_zone, invalid_domain, low_contrast, missing_field, missing_i18n_key, missing_logo,
    missing_translation, news_without_date, page_bad_front_matter, page_no_front_matter, parent_cycle,
    plan_unknown_extension, promotion_dates, renewal_notice_zero, documents_past_add_grace, reserved_slug, static_fake_png,
    static_not_allowed, sub_plan_not_offered, toml_syntax, translation_for_missing_language,
    unknown_extension, unknown_field, unknown_language_page, unknown_plan, unknown_theme, unsafe_logo,
}

#[test]
fn every_fixture_folder_has_a_test() {
    let mut folders: Vec<String> = fs::read_dir(fixtures().join("invalid"))
        .expect("invalid fixtures")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut cases: Vec<String> = CASES.iter().map(|s| s.to_string()).collect();
    cases.sort();
    assert_eq!(folders, cases);
}

#[test]
fn the_valid_fixture_passes() {
    let dir = project(None);
    assert_eq!(check_output(dir.path()), Ok(String::new()));
}

#[test]
fn the_repository_examples_pass() {
    let root = storefront_e2e::repo_root();
    assert_eq!(check_output(&root), Ok(String::new()));
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    // Two independent mistakes in two files: both are reported.
    let dir = project(Some("bad_colour"));
    storefront_e2e::copy_tree(&fixtures().join("invalid/reserved_slug"), dir.path());
    let report = check_output(dir.path()).expect_err("fails");
    assert!(
        report.contains("colour primary") && report.contains("cannot be called 'prices'"),
        "{report}"
    );
}
