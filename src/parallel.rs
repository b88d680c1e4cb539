//! Work in parallel, results in order: the pattern of every streaming pass (validate, scrub)
//! over the transactions of an input.
//!
//! [`map_in_order`] takes items as a producer pushes them (an input's transactions as its
//! blocks are read and lexed), runs a function over each on the current rayon pool and
//! hands each result to a consumer in item order, as soon as it and every result before it
//! are ready. Making the next items, working on them and consuming the first ones therefore
//! overlap; and at most a few items (twice the threads, plus one) are made and not yet
//! consumed, so the memory they hold does not grow with the input. While the result it
//! needs next is not ready, the calling thread works on pending items itself. What the
//! consumer sees does not depend on how many threads did the work.
//!
//! The items are owned (a transaction holds its block by reference count), so one pass
//! runs over the whole input: the next block's first transactions start while the last
//! one of a block is still running, instead of the threads waiting for it at every block.

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

/// Where a producer hands [`map_in_order`] its items.
pub trait Push<T> {
    /// Takes `item` on, after handing on what is ready and waiting while too many items
    /// are out. `Break` once the consumer has broken: the producer should stop then.
    fn push(&mut self, item: T) -> ControlFlow<()>;
}

/// What one item's work sends back: its place, the item, and the result or the panic.
type Done<T, R> = (usize, T, std::thread::Result<R>);

/// The items pushed and not yet consumed, and what runs their work.
struct Pipe<'p, 'scope, T, R> {
    scope: &'p rayon::ScopeFifo<'scope>,
    work: &'scope (dyn Fn(&T) -> R + Sync),
    consume: &'p mut dyn FnMut(T, R) -> ControlFlow<()>,
    tx: Sender<Done<T, R>>,
    rx: &'p Receiver<Done<T, R>>,
    stop: &'scope AtomicBool,
    /// The items pushed and not yet consumed, from item `next` on, in order, each with
    /// its result once ready.
    ready: VecDeque<Option<(T, R)>>,
    next: usize,
    /// Made and not yet consumed at most: enough for every thread to find the next item
    /// waiting.
    limit: usize,
}

impl<T: Send + 'static, R: Send + 'static> Push<T> for Pipe<'_, '_, T, R> {
    fn push(&mut self, item: T) -> ControlFlow<()> {
        loop {
            self.consume_ready()?;
            if self.ready.len() < self.limit {
                break;
            }
            self.wait();
        }
        let (i, tx, work, stop) = (
            self.next + self.ready.len(),
            self.tx.clone(),
            self.work,
            self.stop,
        );
        self.scope.spawn_fifo(move |_| {
            if !stop.load(Ordering::Relaxed) {
                // A panic comes back as a result, so that the thread waiting for it does
                // not wait forever; it raises it again.
                let r = panic::catch_unwind(AssertUnwindSafe(|| work(&item)));
                // The receiver outlives the scope: a send fails only after a break.
                let _ = tx.send((i, item, r));
            }
        });
        self.ready.push_back(None);
        ControlFlow::Continue(())
    }
}

impl<T, R> Pipe<'_, '_, T, R> {
    /// Hands on the results ready at the front, in order.
    fn consume_ready(&mut self) -> ControlFlow<()> {
        if self.stop.load(Ordering::Relaxed) {
            return ControlFlow::Break(());
        }
        while let Some(front) = self.ready.front_mut()
            && let Some((item, r)) = front.take()
        {
            self.ready.pop_front();
            self.next += 1;
            if (self.consume)(item, r).is_break() {
                self.halt();
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }

    /// Runs a pending item's work on this thread, or waits for a result from another.
    fn wait(&mut self) {
        let got = match self.rx.try_recv() {
            Ok(got) => got,
            Err(TryRecvError::Empty) => match rayon::yield_now() {
                Some(rayon::Yield::Executed) => return,
                // Nothing this thread can run: wait for a result from another.
                _ => match self.rx.recv() {
                    Ok(got) => got,
                    Err(_) => return self.halt(),
                },
            },
            // The channel cannot close while this holds a sender: stop rather than wait
            // for ever.
            Err(TryRecvError::Disconnected) => return self.halt(),
        };
        match got {
            (i, item, Ok(r)) => self.ready[i - self.next] = Some((item, r)),
            (_, _, Err(panicked)) => {
                self.halt();
                panic::resume_unwind(panicked)
            }
        }
    }

    /// No more items: those not yet started are skipped, and `push` breaks. Only the
    /// calling thread sets it; the workers read it.
    fn halt(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Waits for every item pushed and hands on its result.
    fn finish(&mut self) {
        while self.consume_ready().is_continue() && !self.ready.is_empty() {
            self.wait();
        }
    }
}

/// Runs `produce`, which pushes items; maps `work` over them in parallel and calls
/// `consume(item, result)` in the order they were pushed, on the calling thread. When
/// `consume` breaks, `push` returns `Break`, no more items are taken, and those not yet
/// started are skipped. Once `produce` returns, every item it pushed is consumed (unless
/// the consumer broke), and its result is returned.
pub fn map_in_order<T, R, X>(
    work: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(T, R) -> ControlFlow<()>,
    produce: impl FnOnce(&mut dyn Push<T>) -> X,
) -> X
where
    T: Send + 'static,
    R: Send + 'static,
{
    let limit = 2 * rayon::current_num_threads().max(1) + 1;
    let (tx, rx) = mpsc::channel::<Done<T, R>>();
    let stop = AtomicBool::new(false);
    let work: &(dyn Fn(&T) -> R + Sync) = &work;
    let stop = &stop;
    let rx = &rx;
    rayon::in_place_scope_fifo(|scope| {
        let mut pipe = Pipe {
            scope,
            work,
            consume: &mut consume,
            tx,
            rx,
            stop,
            ready: VecDeque::new(),
            next: 0,
            limit,
        };
        let out = produce(&mut pipe);
        pipe.finish();
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// [`map_in_order`] over the items `0..n`, pushed one by one.
    fn map_range<R: Send + 'static>(
        n: usize,
        f: impl Fn(&usize) -> R + Sync,
        consume: impl FnMut(usize, R) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        map_in_order(f, consume, |pipe| {
            for x in 0..n {
                pipe.push(x)?;
            }
            ControlFlow::Continue(())
        })
    }

    /// Uneven work, so results arrive out of order: gives back `x`.
    fn uneven(x: usize, scale: usize) -> usize {
        let spin = (x * 7919) % 13 * scale;
        (0..spin).fold(x, |a, b| a.wrapping_add(b % 3)) - (0..spin).map(|b| b % 3).sum::<usize>()
    }

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    fn run(threads: usize, n: usize, stop_at: Option<usize>) -> (Vec<(usize, usize)>, bool) {
        let mut seen = Vec::new();
        let flow = pool(threads).install(|| {
            map_range(
                n,
                |&x| uneven(x, 1000),
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
        let flow = map_range(
            3,
            |x| x * 2,
            |i, r| {
                seen.push((i, r));
                ControlFlow::Continue(())
            },
        );
        assert!(flow.is_continue());
        assert_eq!(seen, vec![(0, 0), (1, 2), (2, 4)]);
        assert_eq!(run(2, 1, None), (vec![(0, 0)], false));
        assert_eq!(run(2, 0, None), (vec![], false));
    }

    /// What a run of `n` items on `threads` threads pushed and got back: the items
    /// consumed in order, and the most that were out (pushed, not consumed) at once.
    fn counted(threads: usize, n: usize) -> (Vec<usize>, usize) {
        pool(threads).install(|| {
            let (made, back, most_out) = (Cell::new(0), Cell::new(0), Cell::new(0));
            let mut seen = Vec::new();
            let flow = map_in_order(
                |&x| uneven(x, 2000),
                |x, r| {
                    assert_eq!(x, r);
                    seen.push(x);
                    back.set(back.get() + 1);
                    ControlFlow::Continue(())
                },
                |pipe| {
                    for x in 0..n {
                        pipe.push(x)?;
                        made.set(made.get() + 1);
                        most_out.set(most_out.get().max(made.get() - back.get()));
                    }
                    ControlFlow::Continue(())
                },
            );
            assert!(flow.is_continue());
            assert_eq!(
                back.get(),
                n,
                "every item consumed once the producer returns"
            );
            (seen, most_out.get())
        })
    }

    #[test]
    fn every_item_pushed_is_consumed_once_in_order() {
        for threads in [1, 2, 4] {
            let (seen, _) = counted(threads, 300);
            assert_eq!(seen, (0..300).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn a_few_items_are_out_whatever_the_length() {
        // Items pushed and not yet consumed: bounded by the threads, not the stream.
        for threads in [1, 2, 4] {
            let (_, small) = counted(threads, 20);
            let (_, big) = counted(threads, 2_000);
            assert!(big <= 2 * threads + 1, "{threads}: {big}");
            assert!(small <= 2 * threads + 1, "{threads}: {small}");
            assert!(big > 1 || threads == 1, "{threads}: items run side by side");
        }
    }

    #[test]
    fn a_panic_in_the_work_is_raised_not_waited_on() {
        for threads in [1, 2] {
            let got = std::panic::catch_unwind(AssertUnwindSafe(|| {
                pool(threads).install(|| {
                    map_range(
                        50,
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
