//! The audit list's vocabulary: every action a line can name, and the kinds the console
//! narrows the list to. The Worker and the service write these names, the console offers
//! the kinds, and the store filters by them — one list, so a new action cannot be written
//! without a kind that shows it.

use crate::wire::moderation::Decision;

/// What an audit line says was done. Several thread changes at once are one line, their
/// names joined with `+` (`unlock+unpin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Approve,
    Spam,
    Hold,
    Trash,
    Restore,
    Delete,
    Purge,
    Edit,
    Reply,
    Lock,
    Unlock,
    Pin,
    Unpin,
    Retitle,
    Block,
    Unblock,
    Export,
    Erase,
    Settings,
    Badge,
    WebhookTest,
    Login,
    Logout,
    LogoutEverywhere,
    LoginFailed,
    Import,
    SiteExport,
    /// The operator added a site to the deployment.
    SiteCreate,
    /// The operator gave a site's owner a new console key.
    SiteKey,
    /// The operator started moving a site to another database, or its move ended.
    SiteMove,
}

impl AuditAction {
    /// The name stored in `audit.action` and shown in the console.
    pub fn as_str(self) -> &'static str {
        use AuditAction::*;
        match self {
            Approve => "approve",
            Spam => "spam",
            Hold => "hold",
            Trash => "trash",
            Restore => "restore",
            Delete => "delete",
            Purge => "purge",
            Edit => "edit",
            Reply => "reply",
            Lock => "lock",
            Unlock => "unlock",
            Pin => "pin",
            Unpin => "unpin",
            Retitle => "retitle",
            Block => "block",
            Unblock => "unblock",
            Export => "export",
            Erase => "erase",
            Settings => "settings",
            Badge => "badge",
            WebhookTest => "webhook-test",
            Login => "login",
            Logout => "logout",
            LogoutEverywhere => "logout-everywhere",
            LoginFailed => "login-failed",
            Import => "import",
            SiteExport => "site-export",
            SiteCreate => "site-create",
            SiteKey => "site-key",
            SiteMove => "site-move",
        }
    }
}

impl From<Decision> for AuditAction {
    fn from(d: Decision) -> Self {
        match d {
            Decision::Approve => AuditAction::Approve,
            Decision::Spam => AuditAction::Spam,
            Decision::Hold => AuditAction::Hold,
            Decision::Trash => AuditAction::Trash,
            Decision::Restore => AuditAction::Restore,
            Decision::Delete => AuditAction::Delete,
        }
    }
}

/// The kinds the console narrows the audit list to (`GET audit?kind=…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKind {
    Moderation,
    Threads,
    People,
    Settings,
    Sessions,
    Data,
}

impl AuditKind {
    pub const ALL: [AuditKind; 6] = [
        AuditKind::Moderation,
        AuditKind::Threads,
        AuditKind::People,
        AuditKind::Settings,
        AuditKind::Sessions,
        AuditKind::Data,
    ];

    /// The name in the query string.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Moderation => "moderation",
            AuditKind::Threads => "threads",
            AuditKind::People => "people",
            AuditKind::Settings => "settings",
            AuditKind::Sessions => "sessions",
            AuditKind::Data => "data",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the console's menu says.
    pub fn label(self) -> &'static str {
        match self {
            AuditKind::Moderation => "Moderation",
            AuditKind::Threads => "Threads",
            AuditKind::People => "People and blocks",
            AuditKind::Settings => "Settings and tokens",
            AuditKind::Sessions => "Logins",
            AuditKind::Data => "Imports and exports",
        }
    }

    /// The actions a line of this kind names.
    pub fn actions(self) -> &'static [AuditAction] {
        use AuditAction::*;
        match self {
            AuditKind::Moderation => &[
                Approve, Spam, Hold, Trash, Restore, Delete, Purge, Edit, Reply,
            ],
            AuditKind::Threads => &[Lock, Unlock, Pin, Unpin, Retitle],
            AuditKind::People => &[Block, Unblock, Export, Erase],
            AuditKind::Settings => &[Settings, Badge, WebhookTest, SiteCreate, SiteKey, SiteMove],
            AuditKind::Sessions => &[Login, Logout, LogoutEverywhere, LoginFailed],
            AuditKind::Data => &[Import, SiteExport],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action is in exactly one kind, so every line can be found by kind.
    #[test]
    fn every_action_has_one_kind() {
        use AuditAction::*;
        let every = [
            Approve,
            Spam,
            Hold,
            Trash,
            Restore,
            Delete,
            Purge,
            Edit,
            Reply,
            Lock,
            Unlock,
            Pin,
            Unpin,
            Retitle,
            Block,
            Unblock,
            Export,
            Erase,
            Settings,
            Badge,
            WebhookTest,
            Login,
            Logout,
            LogoutEverywhere,
            LoginFailed,
            Import,
            SiteExport,
            SiteCreate,
            SiteKey,
            SiteMove,
        ];
        for action in every {
            let kinds = AuditKind::ALL
                .iter()
                .filter(|k| k.actions().contains(&action))
                .count();
            assert_eq!(kinds, 1, "{action:?}");
        }
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.as_str()), Some(kind));
        }
    }
}
