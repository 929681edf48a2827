//! Provisioning through the registrar adapter, against the sandbox registry
//! on the embedded store: register, renew and transfer; that an operation id
//! applies once however often it is sent; that a lost answer is found by
//! `lookup`; and that faults do what callers will rely on them to do.

use chrono::{NaiveDate, TimeZone, Utc};
use std::sync::Arc;
use storefront_functions::clock::ManualClock;
use storefront_functions::registrar::sandbox::{
    Fault, FaultKind, FaultTarget, Registration, Sandbox, SandboxConfig,
};
use storefront_functions::registrar::{
    Availability, Operation, OperationKind, Outcome, Registrar, RegistrarError,
};
use storefront_functions::store::Store;
use storefront_functions::store::embedded::EmbeddedStore;

/// 15 March 2026, noon: far from a leap day and from midnight.
fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 15, 12, 0, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

struct World {
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        let store: Arc<dyn Store> =
            Arc::new(EmbeddedStore::open(&dir.path().join("store.db")).expect("store"));
        World {
            store,
            clock: Arc::new(ManualClock::new(start())),
            _dir: dir,
        }
    }

    /// A sandbox where only short names are taken by the rules, so that
    /// every name a test makes up is free until it registers it.
    fn sandbox(&self, tune: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
        let mut config = SandboxConfig {
            taken_percent: 0,
            premium_percent: 0,
            ..Default::default()
        };
        tune(&mut config);
        Sandbox::new(config, self.store.clone()).with_clock(self.clock.clone())
    }
}

fn register(id: &str, domain: &str, years: u8) -> Operation {
    Operation {
        id: id.into(),
        domain: domain.into(),
        years,
        kind: OperationKind::Register,
    }
}

fn renew(id: &str, domain: &str, years: u8, current_expiry: NaiveDate) -> Operation {
    Operation {
        id: id.into(),
        domain: domain.into(),
        years,
        kind: OperationKind::Renew { current_expiry },
    }
}

fn transfer(id: &str, domain: &str, auth_code: &str) -> Operation {
    Operation {
        id: id.into(),
        domain: domain.into(),
        years: 1,
        kind: OperationKind::Transfer {
            auth_code: auth_code.into(),
        },
    }
}

fn done(expires: NaiveDate) -> Outcome {
    Outcome::Done { expires }
}

#[track_caller]
fn reason(outcome: Outcome) -> String {
    match outcome {
        Outcome::Refused { reason } => reason,
        Outcome::Done { expires } => panic!("expected a refusal, got done until {expires}"),
        Outcome::Deleted => panic!("expected a refusal, got a deletion"),
    }
}

fn delete(id: &str, domain: &str) -> Operation {
    Operation {
        id: id.into(),
        domain: domain.into(),
        years: 1,
        kind: OperationKind::Delete,
    }
}

#[tokio::test]
async fn a_deletion_within_the_add_grace_period_is_credited_once_and_refused_after_it() {
    let w = World::new();
    let s = w.sandbox(|_| {});
    for name in ["keep-me.com", "drop-me.com"] {
        s.provision(&register(&format!("reg-{name}"), name, 1))
            .await
            .unwrap();
    }
    // Within 5 days: deleted and credited; the same id again answers the
    // same and credits nothing more; the name is free again.
    w.clock.set(start() + chrono::Duration::days(5));
    let drop = delete("del-1", "drop-me.com");
    assert_eq!(s.provision(&drop).await.unwrap(), Outcome::Deleted);
    assert_eq!(s.provision(&drop).await.unwrap(), Outcome::Deleted);
    assert_eq!(s.lookup(&drop).await.unwrap(), Some(Outcome::Deleted));
    let credits = s.credits().await.unwrap();
    assert_eq!(
        credits
            .iter()
            .map(|c| (c.domain.as_str(), c.years, c.operation.as_str()))
            .collect::<Vec<_>>(),
        vec![("drop-me.com", 1, "del-1")]
    );
    assert_eq!(
        s.check("drop-me.com").await.unwrap().availability,
        Availability::Available
    );
    // Another id for a name no longer held: refused.
    assert_eq!(
        reason(s.provision(&delete("del-2", "drop-me.com")).await.unwrap()),
        "drop-me.com is not registered with this registrar"
    );
    // A second past the grace period: refused, still registered.
    w.clock
        .set(start() + chrono::Duration::days(5) + chrono::Duration::seconds(1));
    assert_eq!(
        reason(s.provision(&delete("del-3", "keep-me.com")).await.unwrap()),
        format!(
            "keep-me.com was registered on {}; a deletion is credited only within 5 days of registration (until {}), so the registry no longer deletes it for a refund",
            start().date_naive(),
            (start() + chrono::Duration::days(5)).date_naive()
        )
    );
    assert_eq!(
        registration(&s, "keep-me.com").await.expires,
        date(2027, 3, 15),
        "still registered, for the year it was"
    );
    assert_eq!(s.credits().await.unwrap().len(), 1);
    // Another registrar's name is not this one's to delete.
    let other = w.sandbox(|c| c.holder = "other".into());
    assert_eq!(
        reason(
            other
                .provision(&delete("del-4", "keep-me.com"))
                .await
                .unwrap()
        ),
        "keep-me.com is not registered with this registrar"
    );
}

async fn registration(s: &Sandbox, domain: &str) -> Registration {
    s.registration(domain)
        .await
        .unwrap()
        .expect("a registration")
}

#[tokio::test]
async fn a_registered_name_is_taken() {
    let w = World::new();
    let s = w.sandbox(|_| {});
    let before = s.check("fresh-name.com").await.unwrap();
    assert_eq!(before.availability, Availability::Available);

    let outcome = s
        .provision(&register("item-1", "fresh-name.com", 2))
        .await
        .unwrap();
    assert_eq!(outcome, done(date(2028, 3, 15)));

    let after = s.check("fresh-name.com").await.unwrap();
    assert_eq!(after.availability, Availability::Taken);
    let r = registration(&s, "fresh-name.com").await;
    assert_eq!(r.expires, date(2028, 3, 15));
    assert_eq!(r.holder, "storefront");
    assert_eq!(r.auth_code, s.auth_code("fresh-name.com"));
}

#[tokio::test]
async fn a_taken_name_is_refused() {
    let w = World::new();
    let s = w.sandbox(|_| {});
    s.provision(&register("item-1", "once-only.com", 1))
        .await
        .unwrap();
    let second = s
        .provision(&register("item-2", "once-only.com", 1))
        .await
        .unwrap();
    assert!(reason(second).contains("already registered"));
    // Taken by the rules (short names) without being registered here.
    let short = s
        .provision(&register("item-3", "abc.com", 1))
        .await
        .unwrap();
    assert!(reason(short).contains("already registered"));
    // Refusals are recorded under their id like anything else.
    assert!(matches!(
        s.lookup(&register("item-3", "abc.com", 1)).await.unwrap(),
        Some(Outcome::Refused { .. })
    ));
    // The first registration is untouched.
    assert_eq!(
        registration(&s, "once-only.com").await.expires,
        date(2027, 3, 15)
    );
}

#[tokio::test]
async fn the_same_id_applies_once() {
    let w = World::new();
    let s = w.sandbox(|_| {});
    let op = register("item-1", "twice-sent.com", 1);
    let first = s.provision(&op).await.unwrap();
    // A day later the caller, unsure, sends it again: same answer, and the
    // name is not registered (or extended) a second time.
    w.clock.advance(chrono::Duration::days(1));
    let second = s.provision(&op).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(first, done(date(2027, 3, 15)));
    assert_eq!(
        registration(&s, "twice-sent.com").await.expires,
        date(2027, 3, 15)
    );
    assert_eq!(s.lookup(&op).await.unwrap(), Some(first));

    // The same id with another operation is refused, and `lookup` does not
    // hand it the first operation's outcome.
    let other = register("item-1", "another-name.com", 1);
    let refusal = reason(s.provision(&other).await.unwrap());
    assert!(refusal.contains("already used"), "{refusal}");
    assert!(matches!(
        s.lookup(&other).await.unwrap(),
        Some(Outcome::Refused { .. })
    ));
    assert!(s.registration("another-name.com").await.unwrap().is_none());
}

#[tokio::test]
async fn a_lost_answer_is_found_by_lookup() {
    let w = World::new();
    let s = w.sandbox(|c| {
        c.faults = vec![Fault::once(
            FaultTarget::Domains(vec!["lost-answer.com".into()]),
            FaultKind::TimeoutAfterApply,
        )];
    });
    let op = register("item-1", "lost-answer.com", 3);
    assert_eq!(s.provision(&op).await, Err(RegistrarError::Timeout));
    // Applied all the same.
    let expires = date(2029, 3, 15);
    assert_eq!(s.lookup(&op).await.unwrap(), Some(done(expires)));
    assert_eq!(registration(&s, "lost-answer.com").await.expires, expires);
    // Sending it again (the fault has run out) changes nothing.
    let before = s.registration("lost-answer.com").await.unwrap();
    assert_eq!(s.provision(&op).await.unwrap(), done(expires));
    assert_eq!(s.registration("lost-answer.com").await.unwrap(), before);
}

#[tokio::test]
async fn a_failure_before_applying_leaves_nothing() {
    let w = World::new();
    let s = w.sandbox(|c| {
        c.faults = vec![
            Fault::once(
                FaultTarget::Operation("item-1".into()),
                FaultKind::FailBeforeApply,
            ),
            Fault::once(
                FaultTarget::Operation("item-2".into()),
                FaultKind::TimeoutBeforeApply,
            ),
        ];
    });
    for (id, expect) in [("item-1", "upstream"), ("item-2", "timeout")] {
        let op = register(id, &format!("never-arrived-{id}.com"), 1);
        let err = s.provision(&op).await.unwrap_err();
        match (expect, &err) {
            ("upstream", RegistrarError::Upstream(_)) | ("timeout", RegistrarError::Timeout) => {}
            _ => panic!("{id}: expected {expect}, got {err:?}"),
        }
        assert_eq!(s.lookup(&op).await.unwrap(), None, "{id}");
        assert!(s.registration(&op.domain).await.unwrap().is_none());
        // Safe to send again, and this time it goes through.
        assert_eq!(s.provision(&op).await.unwrap(), done(date(2027, 3, 15)));
    }
}

#[tokio::test]
async fn injected_refusals_and_failing_lookups() {
    let w = World::new();
    let s = w.sandbox(|c| {
        c.faults = vec![
            // The second provision call, whatever it is.
            Fault::once(
                FaultTarget::Call(1),
                FaultKind::Refuse("the registry is in maintenance".into()),
            ),
            Fault::once(FaultTarget::Any, FaultKind::LookupFails),
        ];
    });
    let a = register("item-a", "first-call.com", 1);
    let b = register("item-b", "second-call.com", 1);
    assert!(matches!(
        s.provision(&a).await.unwrap(),
        Outcome::Done { .. }
    ));
    assert_eq!(
        reason(s.provision(&b).await.unwrap()),
        "the registry is in maintenance"
    );
    assert!(s.registration("second-call.com").await.unwrap().is_none());
    // The first lookup fails; the next finds the refusal, recorded.
    assert!(matches!(
        s.lookup(&b).await,
        Err(RegistrarError::Upstream(_))
    ));
    assert_eq!(
        s.lookup(&b).await.unwrap(),
        Some(Outcome::Refused {
            reason: "the registry is in maintenance".into()
        })
    );
}

#[tokio::test]
async fn renewal_needs_the_current_expiry() {
    let w = World::new();
    let s = w.sandbox(|_| {});
    s.provision(&register("reg", "renew-me.com", 1))
        .await
        .unwrap();
    let expiry = date(2027, 3, 15);

    let wrong = s
        .provision(&renew("renew-wrong", "renew-me.com", 1, date(2027, 3, 16)))
        .await
        .unwrap();
    assert!(reason(wrong).contains("expires on 2027-03-15"));

    let right = s
        .provision(&renew("renew-1", "renew-me.com", 2, expiry))
        .await
        .unwrap();
    assert_eq!(right, done(date(2029, 3, 15)));

    // The same renewal sent again under a new id (a caller that lost track)
    // cannot add the years twice: the expiry it names is gone.
    let again = s
        .provision(&renew("renew-2", "renew-me.com", 2, expiry))
        .await
        .unwrap();
    assert!(reason(again).contains("renewed already"));
    assert_eq!(
        registration(&s, "renew-me.com").await.expires,
        date(2029, 3, 15)
    );

    // Names not registered here cannot be renewed.
    let unknown = s
        .provision(&renew("renew-3", "nobody-has-it.com", 1, expiry))
        .await
        .unwrap();
    assert!(reason(unknown).contains("not registered"));
    let elsewhere = s
        .provision(&renew("renew-4", "xyz.com", 1, expiry))
        .await
        .unwrap();
    assert!(reason(elsewhere).contains("another registrar"));
}

#[tokio::test]
async fn no_more_than_ten_years() {
    let w = World::new();
    let s = w.sandbox(|_| {});
    for years in [0, 11] {
        let r = reason(
            s.provision(&register(&format!("y{years}"), "period.com", years))
                .await
                .unwrap(),
        );
        assert!(r.contains("1 to 10 years"), "{r}");
    }
    assert!(s.registration("period.com").await.unwrap().is_none());

    let ten = date(2036, 3, 15);
    assert_eq!(
        s.provision(&register("reg", "period.com", 10))
            .await
            .unwrap(),
        done(ten)
    );
    let beyond = reason(
        s.provision(&renew("renew-1", "period.com", 1, ten))
            .await
            .unwrap(),
    );
    assert!(beyond.contains("more than 10 years"), "{beyond}");
    assert_eq!(registration(&s, "period.com").await.expires, ten);

    // A year on, there is room for a year more.
    w.clock.advance(chrono::Duration::days(365));
    assert_eq!(
        s.provision(&renew("renew-2", "period.com", 1, ten))
            .await
            .unwrap(),
        done(date(2037, 3, 15))
    );
}

#[tokio::test]
async fn transfer_needs_the_auth_code() {
    let w = World::new();
    let ours = w.sandbox(|_| {});
    let theirs = w.sandbox(|c| c.holder = "another-registrar".into());
    theirs
        .provision(&register("theirs-1", "move-me.com", 2))
        .await
        .unwrap();
    let code = ours.auth_code("move-me.com");
    assert_eq!(
        code,
        storefront_functions::registrar::sandbox::auth_code(2026, "move-me.com")
    );
    assert!(code.starts_with("SBX-"));

    let wrong = reason(
        ours.provision(&transfer("t-1", "move-me.com", "SBX-000000-000000"))
            .await
            .unwrap(),
    );
    assert!(wrong.contains("auth code"), "{wrong}");
    assert_eq!(
        registration(&ours, "move-me.com").await.holder,
        "another-registrar"
    );

    // Right code: ours, a year beyond the expiry it had.
    assert_eq!(
        ours.provision(&transfer("t-2", "move-me.com", &code))
            .await
            .unwrap(),
        done(date(2029, 3, 15))
    );
    let r = registration(&ours, "move-me.com").await;
    assert_eq!(r.holder, "storefront");
    assert_eq!(r.expires, date(2029, 3, 15));

    // Now ours: not again, and the old holder may not renew it.
    let again = reason(
        ours.provision(&transfer("t-3", "move-me.com", &code))
            .await
            .unwrap(),
    );
    assert!(again.contains("already registered with this registrar"));
    let renew_there = reason(
        theirs
            .provision(&renew("theirs-2", "move-me.com", 1, date(2029, 3, 15)))
            .await
            .unwrap(),
    );
    assert!(renew_there.contains("another registrar"));

    // A name taken by the rules (registered nowhere we know) moves with a
    // year from today; a free name cannot be transferred at all.
    let short = ours.auth_code("abc.com");
    assert_eq!(
        ours.provision(&transfer("t-4", "abc.com", &short))
            .await
            .unwrap(),
        done(date(2027, 3, 15))
    );
    let free = reason(
        ours.provision(&transfer(
            "t-5",
            "free-name.com",
            &ours.auth_code("free-name.com"),
        ))
        .await
        .unwrap(),
    );
    assert!(free.contains("nothing to transfer"));
}

#[tokio::test]
async fn the_clock_dates_everything() {
    let w = World::new();
    let s = w.sandbox(|_| {});
    // A leap day: a year later is the 28th of February.
    w.clock
        .set(Utc.with_ymd_and_hms(2028, 2, 29, 23, 30, 0).unwrap());
    assert_eq!(
        s.provision(&register("leap", "leap-day.com", 1))
            .await
            .unwrap(),
        done(date(2029, 2, 28))
    );
    w.clock.advance(chrono::Duration::hours(1));
    assert_eq!(
        s.provision(&register("march", "first-of-march.com", 1))
            .await
            .unwrap(),
        done(date(2029, 3, 1))
    );
    // `register` (the demo seed) dates by the clock too.
    assert!(s.register("seeded.com", 2).await.unwrap());
    assert!(!s.register("seeded.com", 2).await.unwrap());
    assert_eq!(
        registration(&s, "seeded.com").await.expires,
        date(2030, 3, 1)
    );
}

#[tokio::test]
async fn registrations_from_before_provisioning_still_read() {
    let w = World::new();
    let s = w.sandbox(|_| {});
    // What `register` wrote before registrations carried their expiry.
    w.store
        .put(
            storefront_functions::store::Item::new(
                "SANDBOX#old-seed.com",
                "REGISTRATION",
                serde_json::json!({
                    "domain": "old-seed.com",
                    "years": 1,
                    "created": "2025-06-01T08:00:00+00:00",
                }),
            ),
            storefront_functions::store::Condition::NotExists,
        )
        .await
        .unwrap();
    let r = registration(&s, "old-seed.com").await;
    assert_eq!(r.expires, date(2026, 6, 1));
    assert_eq!(r.holder, "storefront");
    assert_eq!(
        s.provision(&renew("renew", "old-seed.com", 1, date(2026, 6, 1)))
            .await
            .unwrap(),
        done(date(2027, 6, 1))
    );
}

#[tokio::test]
async fn malformed_operations_are_refused() {
    let w = World::new();
    let s = w.sandbox(|_| {});
    for domain in ["Upper.com", "no-dot", "", "bad..com", "-dash.com", "ü.com"] {
        let r = reason(
            s.provision(&register(&format!("m-{domain}"), domain, 1))
                .await
                .unwrap(),
        );
        assert!(r.contains("not a domain name"), "{domain}: {r}");
    }
    let r = reason(s.provision(&register("", "no-id.com", 1)).await.unwrap());
    assert!(r.contains("needs an id"), "{r}");
    assert!(s.registration("no-id.com").await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_registrations_of_one_name_make_one() {
    let w = World::new();
    let s = Arc::new(w.sandbox(|_| {}));
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                s.provision(&register(&format!("race-{i}"), "contested.com", 1))
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap().unwrap());
    }
    let winners: Vec<_> = outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o, Outcome::Done { .. }))
        .collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    // And what each was told is what the registry recorded for it.
    for (i, o) in outcomes.iter().enumerate() {
        let op = register(&format!("race-{i}"), "contested.com", 1);
        assert_eq!(s.lookup(&op).await.unwrap().as_ref(), Some(o));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_sends_of_one_operation_apply_once() {
    let w = World::new();
    let s = Arc::new(w.sandbox(|_| {}));
    s.provision(&register("reg", "renewed-once.com", 1))
        .await
        .unwrap();
    let op = renew("renew-1", "renewed-once.com", 3, date(2027, 3, 15));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (s, op) = (s.clone(), op.clone());
            tokio::spawn(async move { s.provision(&op).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), done(date(2030, 3, 15)));
    }
    assert_eq!(
        registration(&s, "renewed-once.com").await.expires,
        date(2030, 3, 15)
    );
}

#[tokio::test]
async fn adapters_that_only_check_do_not_provision() {
    // The trait's defaults: an adapter that cannot provision says so rather
    // than pretending the outcome is unknown.
    #[derive(Debug)]
    struct CheckOnly;
    #[async_trait::async_trait]
    impl Registrar for CheckOnly {
        fn upstream(&self, _: &str) -> String {
            "none".into()
        }
        async fn check(
            &self,
            _: &str,
        ) -> Result<storefront_functions::registrar::Check, RegistrarError> {
            Err(RegistrarError::Timeout)
        }
    }
    let op = register("x", "example.co.id", 1);
    assert_eq!(
        CheckOnly.provision(&op).await,
        Err(RegistrarError::Unsupported("co.id".into()))
    );
    assert_eq!(
        CheckOnly.lookup(&op).await,
        Err(RegistrarError::Unsupported("co.id".into()))
    );
}
