//! `storefront platform init`: a deployed platform starts from nothing but
//! its published content. This makes its first operator — an owner of the
//! platform's own storefront (`platform.toml`'s `storefront`) — and prints
//! the one-time link that sets its password; everything else is done in
//! the console. Refused once that storefront has any staff.

use crate::money::{Target, services};
use anyhow::{Result, bail};
use std::path::Path;
use std::process::ExitCode;
use storefront_functions::accounts::records::Role;
use storefront_functions::accounts::staff::{self, StaffError};
use storefront_functions::audit::Actor;

pub struct Init {
    pub email: String,
    pub name: Option<String>,
    /// The host the link names; the storefront's first domain when None.
    pub host: Option<String>,
}

pub async fn init(target: &Target, dir: &Path, init: Init) -> Result<ExitCode> {
    let mut diags = storefront_generator::Diagnostics::default();
    let Some(platform) =
        storefront_generator::content::Platform::load(&dir.join("content/platform"), &mut diags)
    else {
        bail!("the platform's content must be valid first:\n{diags}");
    };
    let Some(id) = platform.site.storefront.clone() else {
        bail!(
            "content/platform/platform.toml names no storefront: add `storefront = \"<id>\"`, the platform's own storefront whose owner and admins are its operators"
        );
    };
    let services = services(target, dir, "platform --table T init --email E").await?;
    let store = services.store.as_ref();
    let Some(snapshot) = storefront_functions::catalog::current(store, &id).await? else {
        bail!(
            "the platform's storefront {id:?} is not published in this store yet: run `storefront deploy` (or `build`) first"
        );
    };
    let by = Actor {
        account: "platform-init".into(),
        email: "storefront platform init".into(),
        role: Role::Owner,
        ip: None,
    };
    let (profile, token) = match staff::first_operator(
        store,
        &snapshot,
        &by,
        &init.email,
        init.name.as_deref(),
    )
    .await
    {
        Ok(made) => made,
        Err(StaffError::AlreadyStaff) => {
            let names: Vec<String> = staff::list(store, &id)
                .await?
                .into_iter()
                .map(|p| p.email)
                .collect();
            bail!(
                "the platform already has operators ({}): ask one of them to invite you on the back office's Staff page",
                names.join(", ")
            );
        }
        Err(StaffError::Email(_)) => bail!("{:?} is not an email address", init.email),
        Err(e) => return Err(e.into()),
    };
    let local = matches!(target, Target::Local(_));
    let link = match (&init.host, local) {
        (Some(h), _) if local => format!("http://{h}/account/?reset={token}"),
        (Some(h), _) => format!("https://{h}/account/?reset={token}"),
        (None, true) => format!("http://{id}.localhost:8080/account/?reset={token}"),
        (None, false) => match snapshot.domains.first() {
            Some(d) => format!("https://{d}/account/?reset={token}"),
            None => bail!("the platform's storefront has no domain: pass --host"),
        },
    };
    println!(
        "{} is the first operator of {} ({id}), as its owner.\n\
         Open this link once, within {} days, to set the password and sign in; the console is at /panel/platform/:\n\n  {link}\n",
        profile.email,
        snapshot.name,
        staff::INVITATION_DAYS
    );
    Ok(ExitCode::SUCCESS)
}
