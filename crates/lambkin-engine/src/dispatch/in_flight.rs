//! Attempts started and not yet recorded: the dispatcher adds them, the recorder removes them
//! once their results are written, and the shutdown hands back what is left.

use std::collections::HashSet;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub(crate) struct InFlight {
    seqs: Mutex<HashSet<i64>>,
}

impl InFlight {
    pub(super) fn add(&self, seq: i64) {
        if let Ok(mut s) = self.seqs.lock() {
            s.insert(seq);
        }
    }

    pub(super) fn done(&self, seqs: &[i64]) {
        if let Ok(mut s) = self.seqs.lock() {
            for seq in seqs {
                s.remove(seq);
            }
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.seqs.lock().map(|s| s.is_empty()).unwrap_or(true)
    }

    pub(super) fn all(&self) -> Vec<i64> {
        self.seqs
            .lock()
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }
}
