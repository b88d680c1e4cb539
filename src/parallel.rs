//! Work in parallel, results in order: the pattern of every streaming pass (validate, scrub)
//! over the transactions of a block.
//!
//! [`map_in_order`] runs a function over items on the current rayon pool and hands each
//! result to a consumer in item order, as soon as it and every result before it are ready.
//! The consumer (writing output, spooling findings) therefore runs while later items are
//! still being worked on, instead of after all of them; and while the result it needs next is
//! not ready, the calling thread works on pending items itself. What the consumer sees does
//! not depend on how many threads did the work.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, TryRecvError};

/// Maps `f` over `items` in parallel and calls `consume(index, result)` in index order, on
/// the calling thread. When `consume` breaks, items not yet started are skipped and the
/// break is returned.
pub fn map_in_order<T, R>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
    consume: impl FnMut(usize, R) -> ControlFlow<()>,
) -> ControlFlow<()>
where
    T: Sync,
    R: Send,
{
    map_in_order_idle(items, f, consume, &mut || {})
}

/// [`map_in_order`], calling `idle` whenever the calling thread has nothing to consume and
/// nothing of the pool's to run: the work it does then (reading the next block ahead)
/// overlaps the last items' instead of coming after them.
pub fn map_in_order_idle<T, R>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(usize, R) -> ControlFlow<()>,
    idle: &mut dyn FnMut(),
) -> ControlFlow<()>
where
    T: Sync,
    R: Send,
{
    if items.len() <= 1 {
        // Nothing to overlap: no threads, no channel.
        for (i, item) in items.iter().enumerate() {
            consume(i, f(item))?;
        }
        return ControlFlow::Continue(());
    }
    let (tx, rx) = mpsc::channel::<(usize, R)>();
    let stop = AtomicBool::new(false);
    let (f, stop_ref) = (&f, &stop);
    rayon::in_place_scope_fifo(|s| {
        for (i, item) in items.iter().enumerate() {
            let tx = tx.clone();
            s.spawn_fifo(move |_| {
                if !stop_ref.load(Ordering::Relaxed) {
                    // The receiver outlives the scope: a send fails only after a break.
                    let _ = tx.send((i, f(item)));
                }
            });
        }
        drop(tx);
        let flow = consume_in_order(items.len(), &rx, &mut consume, idle);
        if flow.is_break() {
            stop.store(true, Ordering::Relaxed);
        }
        flow
    })
}

/// Receives results and hands them on in index order; while the next one is not ready, the
/// thread runs pending work of the pool (or waits, outside a pool).
fn consume_in_order<R>(
    n: usize,
    rx: &mpsc::Receiver<(usize, R)>,
    consume: &mut impl FnMut(usize, R) -> ControlFlow<()>,
    idle: &mut dyn FnMut(),
) -> ControlFlow<()> {
    let mut ready: Vec<Option<R>> = (0..n).map(|_| None).collect();
    let mut next = 0;
    while next < n {
        if let Some(r) = ready[next].take() {
            consume(next, r)?;
            next += 1;
            continue;
        }
        let got = match rx.try_recv() {
            Ok(got) => Some(got),
            Err(TryRecvError::Disconnected) => None,
            Err(TryRecvError::Empty) => match rayon::yield_now() {
                Some(rayon::Yield::Executed) => continue,
                // Nothing this thread can run: do the idle work, then check again (a
                // result may have come meanwhile) or wait for one from another thread.
                _ => {
                    idle();
                    match rx.try_recv() {
                        Ok(got) => Some(got),
                        Err(_) => rx.recv().ok(),
                    }
                }
            },
        };
        match got {
            Some((i, r)) => ready[i] = Some(r),
            // Every sender is gone without the result: a task panicked, and the scope
            // re-raises that panic when it ends.
            None => break,
        }
    }
    ControlFlow::Continue(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(threads: usize, n: usize, stop_at: Option<usize>) -> (Vec<(usize, usize)>, bool) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let items: Vec<usize> = (0..n).collect();
        let mut seen = Vec::new();
        let flow = pool.install(|| {
            map_in_order(
                &items,
                |&x| {
                    // Uneven work, so results arrive out of order.
                    let spin = (x * 7919) % 13 * 1000;
                    (0..spin).fold(x, |a, b| a.wrapping_add(b % 3))
                        - (0..spin).map(|b| b % 3).sum::<usize>()
                },
                |i, r| {
                    seen.push((i, r));
                    if Some(i) == stop_at {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                },
            )
        });
        (seen, flow.is_break())
    }

    #[test]
    fn results_come_in_order_whatever_the_threads() {
        let want: Vec<(usize, usize)> = (0..200).map(|i| (i, i)).collect();
        for threads in [1, 2, 4] {
            assert_eq!(
                run(threads, 200, None),
                (want.clone(), false),
                "{threads} threads"
            );
        }
    }

    #[test]
    fn a_break_stops_the_consumer_there() {
        let (seen, broke) = run(2, 100, Some(10));
        assert!(broke);
        assert_eq!(seen, (0..=10).map(|i| (i, i)).collect::<Vec<_>>());
    }

    #[test]
    fn outside_a_pool_and_with_one_item() {
        let mut seen = Vec::new();
        let items = [5usize, 6, 7];
        let flow = map_in_order(
            &items,
            |x| x * 2,
            |i, r| {
                seen.push((i, r));
                ControlFlow::Continue(())
            },
        );
        assert!(flow.is_continue());
        assert_eq!(seen, vec![(0, 10), (1, 12), (2, 14)]);
        assert_eq!(run(2, 1, None), (vec![(0, 0)], false));
        assert_eq!(run(2, 0, None), (vec![], false));
    }
}
