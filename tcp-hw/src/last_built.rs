//! A one-entry cache: the value built for the last key, rebuilt when the key changes.
//!
//! Backends turn a [`tcp_core::Policy`] into lookup tables on every call;
//! callers nearly always pass the same policy again, so the last tables are
//! kept (the offload backends per backend, the CPU kernels per thread).

/// The last key and the value built for it.
#[derive(Debug)]
pub(crate) struct LastBuilt<K, T> {
    last: Option<(K, T)>,
}

impl<K, T> Default for LastBuilt<K, T> {
    fn default() -> Self {
        Self { last: None }
    }
}

impl<K, T> LastBuilt<K, T> {
    /// The value for the key `is_key` accepts: the kept one if it was built
    /// for such a key, else a new `(key, value)` from `build`; and whether it
    /// was built now.
    pub(crate) fn get(
        &mut self,
        is_key: impl FnOnce(&K) -> bool,
        build: impl FnOnce() -> (K, T),
    ) -> (&T, bool) {
        if !self.last.as_ref().is_some_and(|(k, _)| is_key(k)) {
            self.last = None;
        }
        let fresh = self.last.is_none();
        let (_, value) = self.last.get_or_insert_with(build);
        (value, fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuilds_only_when_the_key_changes() {
        let mut cache = LastBuilt::default();
        let mut builds = 0;
        for (key, want_fresh) in [(1, true), (1, false), (2, true), (2, false), (1, true)] {
            let (value, fresh) = cache.get(
                |k| *k == key,
                || {
                    builds += 1;
                    (key, key * 10)
                },
            );
            assert_eq!((*value, fresh), (key * 10, want_fresh));
        }
        assert_eq!(builds, 3);
    }
}
