//! Work in parallel, results in order: the pattern of every streaming pass (validate, scrub)
//! over the transactions of a block.
//!
//! [`map_in_order_stream`] takes items from a [`Source`] as they are made (a block's
//! transactions as its bytes are lexed), runs a function over each on the current rayon
//! pool and hands each result to a consumer in item order, as soon as it and every result
//! before it are ready. Making the next items, working on them and consuming the first
//! ones therefore overlap, instead of each waiting for the whole block; and at most a few
//! items (twice the threads, plus one) are made and not yet consumed, so the memory they
//! hold does not grow with the block. While the result it needs next is not ready, the
//! calling thread works on pending items itself. What the consumer sees does not depend on
//! how many threads did the work.

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, TryRecvError};

/// Where [`map_in_order_stream`] takes its items from.
pub trait Source {
    type Item;
    /// The next item; `None` after the last.
    fn next_item(&mut self) -> Option<Self::Item>;
    /// An item consumed: given back, for the source to keep its memory for later items.
    fn done(&mut self, _item: Self::Item) {}
    /// Called once, when the source is found empty, before the calling thread takes on
    /// any more of the items' work: what it does then (reading the next block ahead)
    /// overlaps the last items' work on the other threads instead of coming after it.
    fn on_empty(&mut self) {}
}

/// Maps `f` over the items of `source` in parallel and calls `consume(item, result)` in the
/// source's order, on the calling thread, then gives the item back to the source. When
/// `consume` breaks, no more items are taken, those not yet started are skipped, and the
/// break is returned; otherwise the source is read to its end.
pub fn map_in_order_stream<S, R>(
    source: &mut S,
    f: impl Fn(&S::Item) -> R + Sync,
    mut consume: impl FnMut(&S::Item, R) -> ControlFlow<()>,
) -> ControlFlow<()>
where
    S: Source,
    S::Item: Send,
    R: Send,
{
    // Made and not yet consumed: enough for every thread to find the next item waiting.
    let limit = 2 * rayon::current_num_threads().max(1) + 1;
    let (tx, rx) = mpsc::channel::<(usize, S::Item, std::thread::Result<R>)>();
    let stop = AtomicBool::new(false);
    let (f, stop_ref) = (&f, &stop);
    rayon::in_place_scope_fifo(|s| {
        // The items made and not yet consumed, from item `next` on, in order, each with
        // its result once ready.
        let mut ready: VecDeque<Option<(S::Item, R)>> = VecDeque::new();
        let (mut next, mut empty) = (0usize, false);
        let flow = loop {
            if let Some(front) = ready.front_mut()
                && let Some((item, r)) = front.take()
            {
                ready.pop_front();
                let flow = consume(&item, r);
                source.done(item);
                next += 1;
                if flow.is_break() {
                    break flow;
                }
                continue;
            }
            if !empty && ready.len() < limit {
                match source.next_item() {
                    Some(item) => {
                        let (i, tx) = (next + ready.len(), tx.clone());
                        s.spawn_fifo(move |_| {
                            if !stop_ref.load(Ordering::Relaxed) {
                                // A panic comes back as a result, so that the thread
                                // waiting for it does not wait forever; it raises it again.
                                let r = panic::catch_unwind(AssertUnwindSafe(|| f(&item)));
                                // The receiver outlives the scope: a send fails only
                                // after a break.
                                let _ = tx.send((i, item, r));
                            }
                        });
                        ready.push_back(None);
                    }
                    None => {
                        empty = true;
                        source.on_empty();
                    }
                }
                continue;
            }
            if empty && ready.is_empty() {
                break ControlFlow::Continue(());
            }
            let got = match rx.try_recv() {
                Ok(got) => Some(got),
                Err(TryRecvError::Disconnected) => None,
                Err(TryRecvError::Empty) => match rayon::yield_now() {
                    Some(rayon::Yield::Executed) => continue,
                    // Nothing this thread can run: wait for a result from another.
                    _ => rx.recv().ok(),
                },
            };
            match got {
                Some((i, item, Ok(r))) => ready[i - next] = Some((item, r)),
                Some((_, _, Err(panicked))) => {
                    stop.store(true, Ordering::Relaxed);
                    panic::resume_unwind(panicked)
                }
                // The channel cannot close while this thread holds a sender.
                None => break ControlFlow::Continue(()),
            }
        };
        if flow.is_break() {
            stop.store(true, Ordering::Relaxed);
        }
        drop(tx);
        flow
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`map_in_order_stream`] over a slice: `consume(index, result)` in index order, on
    /// the calling thread. When `consume` breaks, items not yet started are skipped and the
    /// break is returned.
    fn map_in_order<T, R>(
        items: &[T],
        f: impl Fn(&T) -> R + Sync,
        mut consume: impl FnMut(usize, R) -> ControlFlow<()>,
    ) -> ControlFlow<()>
    where
        T: Sync,
        R: Send,
    {
        struct Slice<'a, T>(std::iter::Enumerate<std::slice::Iter<'a, T>>);
        impl<'a, T> Source for Slice<'a, T> {
            type Item = (usize, &'a T);
            fn next_item(&mut self) -> Option<Self::Item> {
                self.0.next()
            }
        }
        let mut source = Slice(items.iter().enumerate());
        map_in_order_stream(&mut source, |&(_, x)| f(x), |&(i, _), r| consume(i, r))
    }

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

    /// A source that counts what it has made and what came back.
    struct Counted {
        n: usize,
        made: usize,
        back: Vec<usize>,
        most_out: usize,
        /// Items made at each call of `on_empty`.
        emptied_at: Vec<usize>,
    }

    impl Source for Counted {
        type Item = usize;
        fn next_item(&mut self) -> Option<usize> {
            (self.made < self.n).then(|| {
                self.made += 1;
                self.most_out = self.most_out.max(self.made - self.back.len());
                self.made - 1
            })
        }
        fn done(&mut self, item: usize) {
            self.back.push(item);
        }
        fn on_empty(&mut self) {
            self.emptied_at.push(self.made);
        }
    }

    fn counted(threads: usize, n: usize) -> Counted {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut source = Counted {
            n,
            made: 0,
            back: Vec::new(),
            most_out: 0,
            emptied_at: Vec::new(),
        };
        let mut seen = Vec::new();
        let flow = pool.install(|| {
            map_in_order_stream(
                &mut source,
                |&x| {
                    let spin = (x * 7919) % 13 * 2000;
                    (0..spin).fold(x, |a, b| a.wrapping_add(b % 3))
                        - (0..spin).map(|b| b % 3).sum::<usize>()
                },
                |&x, r| {
                    seen.push((x, r));
                    ControlFlow::Continue(())
                },
            )
        });
        assert!(flow.is_continue());
        assert_eq!(seen, (0..n).map(|i| (i, i)).collect::<Vec<_>>());
        source
    }

    #[test]
    fn a_stream_is_taken_whole_each_item_given_back_once_in_order() {
        for threads in [1, 2, 4] {
            let c = counted(threads, 300);
            assert_eq!(c.made, 300, "{threads} threads");
            assert_eq!(c.back, (0..300).collect::<Vec<_>>(), "{threads} threads");
            // Once, when the source was found empty (every item made), not before.
            assert_eq!(c.emptied_at, vec![300], "{threads} threads");
        }
    }

    #[test]
    fn a_stream_holds_a_few_items_whatever_its_length() {
        // Items made and not yet given back: bounded by the threads, not the stream.
        for threads in [1, 2, 4] {
            let (small, big) = (counted(threads, 20), counted(threads, 2_000));
            assert!(
                big.most_out <= 2 * threads + 1,
                "{threads}: {}",
                big.most_out
            );
            assert!(small.most_out <= 2 * threads + 1);
        }
    }

    #[test]
    fn a_panic_in_the_work_is_raised_not_waited_on() {
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let items: Vec<usize> = (0..50).collect();
            let got = std::panic::catch_unwind(AssertUnwindSafe(|| {
                pool.install(|| {
                    map_in_order(
                        &items,
                        |&x| {
                            assert!(x != 7, "item 7 fails");
                            x
                        },
                        |_, _| ControlFlow::Continue(()),
                    )
                })
            }));
            assert!(got.is_err(), "{threads} threads: the panic was lost");
        }
    }
}
