//! Sign-in throttling. After a few failures each further attempt must wait longer, counted
//! for an account and an address together, for an address, and for an account; the longest
//! wait applies. No number of failures locks an account: someone guessing from elsewhere can
//! slow its owner's sign-in by [`PER_ACCOUNT`]'s cap at most, while the guesser's own address
//! waits up to fifteen minutes between tries.

use std::time::Duration;

/// Failures older than this no longer count.
pub const WINDOW: Duration = Duration::from_secs(3600);

/// Free failures, then a wait that doubles from one second up to a cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub free: u32,
    pub cap: Duration,
}

/// One account from one address (since its last success there).
pub const PER_ACCOUNT_AND_ADDRESS: Backoff = Backoff { free: 3, cap: Duration::from_secs(900) };
/// One address, whatever account it tries (successes do not reset it).
pub const PER_ADDRESS: Backoff = Backoff { free: 20, cap: Duration::from_secs(900) };
/// One account, from any address (since its last success).
pub const PER_ACCOUNT: Backoff = Backoff { free: 10, cap: Duration::from_secs(30) };

impl Backoff {
    /// How long to wait after the last of `failures` before the next try.
    pub fn delay(&self, failures: u32) -> Duration {
        if failures < self.free {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free).min(20);
        Duration::from_secs(1u64 << doublings).min(self.cap)
    }

    /// How long is left to wait now, `since_last` after the last failure.
    pub fn remaining(&self, failures: u32, since_last: Duration) -> Duration {
        self.delay(failures).saturating_sub(since_last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_their_cap_and_never_lock() {
        assert_eq!(PER_ACCOUNT_AND_ADDRESS.delay(2), Duration::ZERO);
        assert_eq!(PER_ACCOUNT_AND_ADDRESS.delay(3), Duration::from_secs(1));
        assert_eq!(PER_ACCOUNT_AND_ADDRESS.delay(5), Duration::from_secs(4));
        assert_eq!(PER_ACCOUNT_AND_ADDRESS.delay(1000), Duration::from_secs(900));
        assert_eq!(PER_ACCOUNT.delay(u32::MAX), Duration::from_secs(30), "the owner waits half a minute at most");
        assert_eq!(PER_ACCOUNT.remaining(12, Duration::from_secs(3)), Duration::from_secs(1));
        assert_eq!(PER_ACCOUNT.remaining(12, Duration::from_secs(9)), Duration::ZERO);
    }
}
