//! The results `x837 serve` has made, kept in memory (never on disk) for their downloads:
//! the newest few, up to a total size, none older than an hour.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Results kept at most.
pub const MAX_RESULTS: usize = 8;
/// How long a result is kept.
pub const KEEP: Duration = Duration::from_secs(3600);

/// The files one upload gave.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The upload's file name (made safe), which names its downloads.
    pub name: String,
    pub profile: String,
    /// What the scrub said when parts of the file could not be used (as on the command
    /// line's standard error); shown above the worklist.
    pub messages: Vec<String>,
    /// The worklist as served, with the download links.
    pub page: Arc<[u8]>,
    /// The worklist alone, to keep or send.
    pub worklist: Arc<[u8]>,
    pub json: Arc<[u8]>,
    /// The corrected EDI, when one was written.
    pub corrected: Option<Arc<[u8]>>,
    /// The claims split off, when there were any.
    pub rejected: Option<Arc<[u8]>>,
}

impl Outcome {
    fn bytes(&self) -> usize {
        self.page.len()
            + self.worklist.len()
            + self.json.len()
            + self.corrected.as_ref().map_or(0, |c| c.len())
            + self.rejected.as_ref().map_or(0, |c| c.len())
    }
}

/// The results, newest last.
#[derive(Debug)]
pub struct Store {
    /// Bytes kept at most (the newest result is kept whatever its size).
    max_bytes: usize,
    results: VecDeque<(String, Instant, Arc<Outcome>)>,
}

impl Store {
    pub fn new(max_bytes: usize) -> Self {
        Store {
            max_bytes,
            results: VecDeque::new(),
        }
    }

    /// Keeps `outcome` under `token` (from [`token`]).
    pub fn put(&mut self, token: &str, outcome: Outcome) {
        self.results
            .push_back((token.to_string(), Instant::now(), Arc::new(outcome)));
        self.evict();
    }

    pub fn get(&mut self, token: &str) -> Option<Arc<Outcome>> {
        self.evict();
        (self.results.iter())
            .find(|(t, _, _)| t == token)
            .map(|(_, _, o)| Arc::clone(o))
    }

    fn evict(&mut self) {
        self.results.retain(|(_, at, _)| at.elapsed() < KEEP);
        while self.results.len() > MAX_RESULTS {
            self.results.pop_front();
        }
        let mut total: usize = self.results.iter().map(|(_, _, o)| o.bytes()).sum();
        while self.results.len() > 1 && total > self.max_bytes {
            if let Some((_, _, o)) = self.results.pop_front() {
                total -= o.bytes();
            }
        }
    }
}

/// 128 random bits as hex: a result's address cannot be guessed by another local user.
pub fn token() -> io::Result<String> {
    let mut b = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut b)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(n: usize) -> Outcome {
        let b: Arc<[u8]> = vec![0u8; n].into();
        Outcome {
            name: "a.x12".into(),
            profile: "default".into(),
            messages: Vec::new(),
            page: Arc::clone(&b),
            worklist: Arc::from(&[][..]),
            json: Arc::from(&[][..]),
            corrected: None,
            rejected: None,
        }
    }

    #[test]
    fn keeps_the_newest_within_count_and_size() {
        let mut s = Store::new(250);
        let put = |s: &mut Store, n| {
            let t = token().unwrap_or_default();
            s.put(&t, outcome(n));
            t
        };
        let first = put(&mut s, 100);
        let second = put(&mut s, 100);
        assert_eq!(first.len(), 32);
        assert_ne!(first, second);
        assert!(s.get(&first).is_some());
        // A third goes over 250 bytes: the oldest goes.
        let third = put(&mut s, 100);
        assert!(s.get(&first).is_none());
        assert!(s.get(&second).is_some() && s.get(&third).is_some());
        // One larger than the bound is still kept, alone.
        let big = put(&mut s, 1000);
        assert_eq!(s.results.len(), 1);
        assert!(s.get(&big).is_some());
        for _ in 0..MAX_RESULTS + 3 {
            put(&mut s, 1);
        }
        assert_eq!(s.results.len(), MAX_RESULTS);
        assert!(s.get(&big).is_none());
    }
}
