//! Timing backends on generated batches, with the memory-read ceiling measured alongside.
//!
//! What `tcp bench` prints and what the select calibration uses: real
//! [`Instant`] timings, each a median over rounds, the read pass and the
//! backends interleaved round by round so that both see the same machine
//! load. Nothing here is estimated.

use std::hint::black_box;
use std::time::{Duration, Instant};

use tcp_core::{Dialect, Policy, Result};

use crate::Backend;
use crate::testing::{Mix, records};

/// The memory-read pass: every byte of `input` loaded once and summed, with
/// the widest vector loads this CPU has, aligned to cache lines (the
/// unaligned head and tail bytes one by one), into four independent
/// accumulators, so that the ceiling is not understated by the loop. Batches
/// larger than an L2 cache get the kernels' prefetching where they have it
/// (the CPU module's prefetch plan: on Intel); smaller ones none, which reads
/// them faster.
///
/// Why aligned: a vector batch from the allocator is rarely 64-byte
/// aligned, and an unaligned 64-byte load splits across two cache lines. On
/// a 1.5 MB batch the unaligned loop read 2.9 G records/s against 3.7
/// aligned (Xeon, 2 vCPUs); the kernels, bound by arithmetic, lost 4 %.
///
/// The ceiling [`measure`] compares with is the faster of this pass and
/// [`read_pass_paced`] ([`READ_PASSES`]).
pub fn read_pass(input: &[u8]) -> u64 {
    read_dispatch::<0>(input)
}

/// The read pass with its loads paced: a chain of eight dependent
/// multiplies (about 30 cycles) after every four cache lines. On DRAM-sized
/// batches this read Zen 4's memory 10-15 % faster than the unpaced pass, and
/// the AVX-512 v2-kb kernel, which spends that long on arithmetic per four
/// lines, read it faster than the unpaced pass too, so without this pass the
/// ceiling was understated there (`tcp bench --n 10000000`: 108-110 % of
/// read). Why the slower issue rate helps was not established; that it does
/// was measured. On cache-resident batches it caps the read well below the
/// unpaced pass, which is then the ceiling.
pub fn read_pass_paced(input: &[u8]) -> u64 {
    read_dispatch::<8>(input)
}

/// A read pass: reads every byte of a batch, returns a sum of them.
pub type ReadPass = fn(&[u8]) -> u64;

/// `pass` over a batch of `record_len`-byte records on `threads` threads,
/// cut into chunks exactly as the `parallel` backend cuts a batch: the
/// ceiling for that backend.
pub fn read_pass_threads(pass: ReadPass, input: &[u8], record_len: usize, threads: usize) -> u64 {
    let n = input.len() / record_len.max(1);
    let chunk = crate::cpu::parallel_chunk_records(n, threads).saturating_mul(record_len.max(1));
    let chunks: Vec<&[u8]> = input.chunks(chunk.max(1)).collect();
    crate::split::map_chunks(chunks, threads, &pass)
        .into_iter()
        .fold(0, |sum, part| sum.wrapping_add(part.unwrap_or(0)))
}

/// The read passes a ceiling is the best of, by name.
pub const READ_PASSES: [(&str, ReadPass); 2] =
    [("read", read_pass), ("read-paced", read_pass_paced)];

fn read_dispatch<const PACE: u32>(input: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked just above).
            return unsafe { read_avx512::<PACE>(input) };
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            return unsafe { read_avx2::<PACE>(input) };
        }
    }
    read_lines::<PACE>(input)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn read_avx512<const PACE: u32>(input: &[u8]) -> u64 {
    read_lines::<PACE>(input)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn read_avx2<const PACE: u32>(input: &[u8]) -> u64 {
    read_lines::<PACE>(input)
}

/// One cache line of words, aligned as one.
#[repr(C, align(64))]
#[derive(Clone, Copy)]
struct Line([u64; 8]);

/// The read pass; `PACE` dependent multiplies after every four lines.
#[inline(always)]
fn read_lines<const PACE: u32>(input: &[u8]) -> u64 {
    // SAFETY: `Line` is plain integers, so every bit pattern is a valid value.
    let (head, lines, tail) = unsafe { input.align_to::<Line>() };
    let edges = head
        .iter()
        .chain(tail)
        .fold(0u64, |s, &b| s.wrapping_add(u64::from(b)));
    #[cfg(target_arch = "x86_64")]
    let plan = crate::cpu::prefetch_plan(input.len());
    let (groups, rest) = lines.as_chunks::<4>();
    let mut acc = [[0u64; 8]; 4];
    let mut pace = 1u64;
    for group in groups {
        // The kernels' prefetching, where it has a far stage (DRAM-sized
        // batches on CPUs where software prefetching pays).
        #[cfg(target_arch = "x86_64")]
        if plan.far {
            crate::cpu::prefetch_ahead::<4>(group.as_ptr().cast(), plan);
        }
        for (a, line) in acc.iter_mut().zip(group) {
            for (x, w) in a.iter_mut().zip(line.0) {
                *x = x.wrapping_add(w);
            }
        }
        for _ in 0..PACE {
            pace = std::hint::black_box(pace.wrapping_mul(0x9E37_79B9).wrapping_add(1));
        }
    }
    // Plain loops: an iterator chain here took the accumulators' address and
    // kept them in memory, one store per load in the loop above.
    let mut sum = edges;
    for line in acc.into_iter().chain(rest.iter().map(|l| l.0)) {
        for w in line {
            sum = sum.wrapping_add(w);
        }
    }
    sum
}

/// A median timing of one thing over a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// What was timed (a read pass's or a backend's name).
    pub name: String,
    /// Threads it ran on.
    pub threads: usize,
    /// Records per call.
    pub records: usize,
    /// Median time per call.
    pub median: Duration,
    /// Calls timed.
    pub rounds: usize,
}

impl Timing {
    /// Records per second at the median.
    pub fn records_per_second(&self) -> f64 {
        self.records as f64 / self.median.as_secs_f64().max(1e-12)
    }
}

/// How a measurement went: the read pass and every backend, same batch, same rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The dialect of the batch.
    pub dialect: Dialect,
    /// The fastest read pass over the batch on one thread (the ceiling of
    /// the one-thread backends; its name says which).
    pub read: Timing,
    /// Every read pass of [`READ_PASSES`] on one thread, in that order, then
    /// again on as many threads as each multi-threaded backend measured uses
    /// ([`read_pass_threads`]).
    pub reads: Vec<Timing>,
    /// One timing per backend measured.
    pub backends: Vec<Timing>,
}

impl Report {
    /// The fastest read pass on `threads` threads, if one was measured.
    pub fn ceiling(&self, threads: usize) -> Option<&Timing> {
        fastest(&self.reads, threads)
    }

    /// A backend's throughput as a fraction of the ceiling on as many threads.
    pub fn ratio_to_read(&self, t: &Timing) -> f64 {
        let ceiling = self.ceiling(t.threads).unwrap_or(&self.read);
        t.records_per_second() / ceiling.records_per_second().max(1e-12)
    }
}

/// The read pass with the lowest median among `reads` on `threads` threads.
fn fastest(reads: &[Timing], threads: usize) -> Option<&Timing> {
    reads
        .iter()
        .filter(|r| r.threads == threads)
        .min_by_key(|r| r.median)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// Calls per round so that one round lasts about a millisecond or more.
fn calls_per_round(records: usize) -> usize {
    (1_000_000 / records.max(1)).clamp(1, 10_000)
}

/// Times `backends` and the read passes ([`READ_PASSES`]) on `records_n`
/// generated valid records of `dialect` under `policy`: `rounds` rounds,
/// each timing every one in turn, reporting medians; the ceiling is the
/// read pass with the lowest median. Each backend's output is checked against
/// tcp-core's reference first; a backend that errs or disagrees is an error.
pub fn measure(
    backends: &[&dyn Backend],
    dialect: Dialect,
    records_n: usize,
    policy: &Policy,
    rounds: usize,
) -> Result<Report> {
    let input = records(dialect, records_n, Mix::Valid, 0xBE4C);
    let mut out = vec![0u8; records_n];
    let mut want = vec![0u8; records_n];
    tcp_core::validate_batch(dialect, &input, policy, &mut want)?;
    for b in backends {
        b.validate(dialect, &input, policy, &mut out)?;
        if out != want {
            return Err(tcp_core::Error::BadInput {
                detail: format!("backend {} disagrees with the reference", b.name()),
            });
        }
    }
    let calls = calls_per_round(records_n);
    let rounds = rounds.max(1);
    // One-thread passes first, then each thread count a backend uses.
    let mut thread_counts = vec![1];
    for b in backends {
        if !thread_counts.contains(&b.threads()) {
            thread_counts.push(b.threads());
        }
    }
    let passes: Vec<(&str, ReadPass, usize)> = thread_counts
        .iter()
        .flat_map(|&threads| {
            READ_PASSES
                .iter()
                .map(move |&(name, pass)| (name, pass, threads))
        })
        .collect();
    let record_len = dialect.record_len();
    let mut reads = vec![Vec::with_capacity(rounds); passes.len()];
    let mut per_backend = vec![Vec::with_capacity(rounds); backends.len()];
    for _ in 0..rounds {
        for (&(_, pass, threads), times) in passes.iter().zip(reads.iter_mut()) {
            let t = Instant::now();
            for _ in 0..calls {
                if threads == 1 {
                    black_box(pass(black_box(&input)));
                } else {
                    black_box(read_pass_threads(
                        pass,
                        black_box(&input),
                        record_len,
                        threads,
                    ));
                }
            }
            times.push(t.elapsed() / calls as u32);
        }
        for (b, times) in backends.iter().zip(per_backend.iter_mut()) {
            let t = Instant::now();
            for _ in 0..calls {
                b.validate(dialect, black_box(&input), policy, black_box(&mut out))?;
            }
            times.push(t.elapsed() / calls as u32);
        }
    }
    let timing = |name: &str, threads: usize, times: Vec<Duration>| Timing {
        name: name.to_owned(),
        threads,
        records: records_n,
        median: median(times),
        rounds,
    };
    let reads: Vec<Timing> = passes
        .iter()
        .zip(reads)
        .map(|(&(name, _, threads), times)| timing(name, threads, times))
        .collect();
    let read = fastest(&reads, 1)
        .cloned()
        .unwrap_or_else(|| timing("read", 1, Vec::new()));
    Ok(Report {
        dialect,
        read,
        reads,
        backends: backends
            .iter()
            .zip(per_backend)
            .map(|(b, times)| timing(b.name(), b.threads(), times))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_pass_reads_every_byte() {
        // At every alignment and length, changing any byte changes the sum:
        // head, aligned lines, the groups' remainder and the tail are all read.
        let store = vec![0u8; 64 * 11 + 64];
        for start in [0, 1, 8, 63] {
            for len in [0, 1, 63, 64, 130, 64 * 9 + 5] {
                let mut data = store.clone();
                let base = read_pass(&data[start..start + len]);
                for i in [0, len / 3, len / 2, len.saturating_sub(1)] {
                    if i >= len {
                        continue;
                    }
                    data[start + i] = 1;
                    assert_ne!(
                        read_pass(&data[start..start + len]),
                        base,
                        "{start}/{len}/{i}"
                    );
                    data[start + i] = 0;
                }
            }
        }
    }

    #[test]
    fn the_threaded_read_pass_reads_every_byte() {
        let mut data: Vec<u8> = (0..24 * 5000).map(|i| (i % 251) as u8).collect();
        for threads in [1, 2, 3] {
            for pass in READ_PASSES.map(|(_, p)| p) {
                let whole = pass(&data);
                assert_eq!(read_pass_threads(pass, &data, 24, threads), whole);
                data[24 * 4999 + 23] ^= 0x40;
                assert_ne!(read_pass_threads(pass, &data, 24, threads), whole);
                data[24 * 4999 + 23] ^= 0x40;
            }
        }
    }

    #[test]
    fn a_multi_threaded_backend_is_compared_with_reads_on_its_threads() {
        let parallel = crate::ParallelBackend::simd();
        let scalar = crate::ScalarBackend;
        let r = measure(
            &[&scalar, &parallel],
            Dialect::V2Kb,
            100,
            &Policy::default(),
            2,
        )
        .unwrap();
        let threads = parallel.threads();
        assert_eq!(r.backends[1].threads, threads);
        assert!(r.ceiling(1).is_some());
        assert!(r.ceiling(threads).is_some());
        let want =
            r.backends[1].records_per_second() / r.ceiling(threads).unwrap().records_per_second();
        assert_eq!(r.ratio_to_read(&r.backends[1]), want);
    }

    #[test]
    fn measure_reports_every_backend() {
        let scalar = crate::ScalarBackend;
        let r = measure(&[&scalar], Dialect::V2Kb, 100, &Policy::default(), 2).unwrap();
        assert_eq!(r.backends.len(), 1);
        assert!(r.read.records_per_second() > 0.0);
        assert!(r.ratio_to_read(&r.backends[0]) > 0.0);
    }
}
