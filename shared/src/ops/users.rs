//! Console users, as an admin manages them (the CLI's `users …` and the
//! console's admin actions): names are validated, passwords hashed with
//! argon2id here and never stored or logged in clear. Removing a user,
//! resetting a password or changing a role ends every session the user
//! has (their cookies are refused from then on).

use super::password;
use super::OpsError;
use crate::store::{ConsoleUser, ConsoleUsers, Role};

/// A user name: 1–64 of letters, digits, `.`, `_`, `-`, `@`; kept lowercase.
pub fn check_name(name: &str) -> Result<String, OpsError> {
    let n = name.trim().to_lowercase();
    let ok = (1..=64).contains(&n.len())
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(n)
    } else {
        Err(OpsError::Invalid {
            field: "name",
            reason: format!(
                "{name:?} is not a user name; use 1-64 letters, digits, '.', '_', '-' or '@'"
            ),
        })
    }
}

/// A role name (viewer, operator, admin).
pub fn check_role(role: &str) -> Result<Role, OpsError> {
    match Role::parse(&role.trim().to_lowercase()) {
        Role::Unknown(r) => Err(OpsError::Invalid {
            field: "role",
            reason: format!("{r:?} is not a role; use viewer, operator or admin"),
        }),
        r => Ok(r),
    }
}

fn hashed(pw: &str) -> Result<String, OpsError> {
    password::hash(pw).map_err(|e| OpsError::Invalid {
        field: "password",
        reason: e.to_string(),
    })
}

/// Adds a user; refuses an existing name.
pub async fn add_user(
    users: &dyn ConsoleUsers,
    name: &str,
    role: &str,
    pw: &str,
    now: i64,
) -> Result<ConsoleUser, OpsError> {
    let name = check_name(name)?;
    let role = check_role(role)?;
    if users.get(&name).await?.is_some() {
        return Err(OpsError::Invalid {
            field: "name",
            reason: format!("user {name} exists; use set-role or reset-password"),
        });
    }
    let u = ConsoleUser {
        name,
        role,
        password_hash: hashed(pw)?,
        created_at: now,
        updated_at: now,
    };
    users.put(&u).await?;
    Ok(u)
}

async fn existing(users: &dyn ConsoleUsers, name: &str) -> Result<ConsoleUser, OpsError> {
    let name = check_name(name)?;
    users.get(&name).await?.ok_or_else(|| OpsError::Invalid {
        field: "name",
        reason: format!("no user {name}; list them with `tiktok-netsuite users list`"),
    })
}

pub async fn remove_user(users: &dyn ConsoleUsers, name: &str) -> Result<(), OpsError> {
    let u = existing(users, name).await?;
    users.delete(&u.name).await?;
    users.end_sessions(&u.name).await?;
    Ok(())
}

pub async fn set_role(
    users: &dyn ConsoleUsers,
    name: &str,
    role: &str,
    now: i64,
) -> Result<ConsoleUser, OpsError> {
    let mut u = existing(users, name).await?;
    u.role = check_role(role)?;
    u.updated_at = now;
    users.put(&u).await?;
    users.end_sessions(&u.name).await?;
    Ok(u)
}

pub async fn reset_password(
    users: &dyn ConsoleUsers,
    name: &str,
    pw: &str,
    now: i64,
) -> Result<ConsoleUser, OpsError> {
    let mut u = existing(users, name).await?;
    u.password_hash = hashed(pw)?;
    u.updated_at = now;
    users.put(&u).await?;
    users.end_sessions(&u.name).await?;
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_roles_are_checked() {
        assert_eq!(check_name(" Ana.B ").unwrap(), "ana.b");
        assert!(check_name("a b").is_err() && check_name("").is_err());
        assert_eq!(check_role("Operator").unwrap(), Role::Operator);
        assert!(check_role("root")
            .unwrap_err()
            .to_string()
            .contains("viewer, operator or admin"));
    }
}
