package io.parley.jcstress;

import java.util.ArrayList;
import java.util.List;

import reactor.core.scheduler.Schedulers;

/**
 * The timers a call schedules on Reactor's schedulers (the server's deadline, the client's two
 * bounds), caught as they are scheduled so that an actor fires one itself, racing whatever else
 * ends the call. The scheduler is handed a task that does nothing in place of the timer: only the
 * actor runs it, and the call's disposing of its timer still works as it does in production.
 */
final class Timers {

    private static final ThreadLocal<List<Runnable>> CAUGHT = new ThreadLocal<>();
    private static final Runnable NOTHING = () -> { };

    static {
        // Every task Reactor schedules passes here; only those scheduled within catching() are kept.
        Schedulers.onScheduleHook("parley-jcstress-timers", task -> {
            List<Runnable> caught = CAUGHT.get();
            if (caught == null) {
                return task;
            }
            caught.add(task);
            return NOTHING;
        });
    }

    private Timers() {
    }

    /**
     * Runs the action and returns the tasks it scheduled, in order, none of which will run unless
     * the caller runs it.
     *
     * @param action what schedules the timers
     * @param expected how many it must schedule; any other number is the test's error
     */
    static List<Runnable> catching(Runnable action, int expected) {
        List<Runnable> caught = new ArrayList<>(2);
        CAUGHT.set(caught);
        try {
            action.run();
        }
        finally {
            CAUGHT.remove();
        }
        if (caught.size() != expected) {
            throw new IllegalStateException("the call scheduled " + caught.size() + " tasks (expected: " + expected + ")");
        }
        return caught;
    }
}
