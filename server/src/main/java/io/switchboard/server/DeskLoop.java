package io.switchboard.server;

import io.switchboard.server.desk.Cancellable;
import io.switchboard.server.desk.DeskClock;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desk's thread: one single-threaded executor that runs every desk event and timer, in order. After each task it
 * runs the end-of-turn hook (the outbox's flush), so a task's output leaves in one batch per connection.
 */
public final class DeskLoop implements DeskClock {
    private static final Logger log = LoggerFactory.getLogger(DeskLoop.class);

    private final ScheduledExecutorService executor;
    private volatile Runnable endOfTurn = () -> { };

    public DeskLoop() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "switchboard-desk");
            thread.setDaemon(true);
            return thread;
        });
        // Cancelled timers (most resume graces) leave the queue at once instead of when they would have fired;
        // on shutdown, timers still pending are dropped rather than waited for.
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        this.executor = executor;
    }

    /** Sets what runs after every task (set once, before the first task). */
    public void onEndOfTurn(Runnable hook) {
        this.endOfTurn = hook;
    }

    /** Runs a task on the desk thread, then the end-of-turn hook. */
    public void execute(Runnable task) {
        try {
            executor.execute(() -> turn(task));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("desk stopped; task dropped");
        }
    }

    /** Runs a task on the desk thread and waits for its result (start-up, shutdown, tests). */
    public <T> T call(Callable<T> task, long timeoutMs) {
        try {
            return executor.submit(() -> {
                try {
                    return task.call();
                } finally {
                    endOfTurn.run();
                }
            }).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the desk", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("desk task failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("desk did not answer within " + timeoutMs + " ms", e);
        }
    }

    @Override
    public long now() {
        return System.currentTimeMillis();
    }

    @Override
    public Cancellable schedule(long delayMs, Runnable task) {
        ScheduledFuture<?> future = executor.schedule(() -> turn(task), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    private void turn(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("desk task failed", e);
        } finally {
            try {
                endOfTurn.run();
            } catch (RuntimeException e) {
                log.error("desk end of turn failed", e);
            }
        }
    }

    /** Stops the thread after the tasks already queued. */
    public void shutdown(long timeoutMs) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
