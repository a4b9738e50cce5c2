package io.switchboard.server.gate;

import io.switchboard.server.desk.Cancellable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A desk thread of a running server: one single-threaded scheduled executor on the system clock. */
public final class ExecutorDeskThread implements DeskThread {
    private static final Logger log = LoggerFactory.getLogger(ExecutorDeskThread.class);

    private final ScheduledThreadPoolExecutor executor;

    public ExecutorDeskThread(String name) {
        executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
        // Cancelled timers (most resume graces) leave the queue at once instead of when they would have fired;
        // on shutdown, timers still pending are dropped rather than waited for.
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    @Override
    public void execute(Runnable task) {
        try {
            executor.execute(() -> run(task));
        } catch (RejectedExecutionException e) {
            log.debug("desk thread stopped; task dropped");
        }
    }

    @Override
    public long now() {
        return System.currentTimeMillis();
    }

    @Override
    public Cancellable schedule(long delayMs, Runnable task) {
        try {
            ScheduledFuture<?> future = executor.schedule(() -> run(task), Math.max(0, delayMs),
                    TimeUnit.MILLISECONDS);
            return () -> future.cancel(false);
        } catch (RejectedExecutionException e) {
            return () -> { };
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("desk task failed", e);
        }
    }

    @Override
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
