package io.parley.jcstress;

import java.io.IOException;
import java.io.InputStream;

import org.openjdk.jcstress.Main;

/**
 * Runs the tests with jcstress's own command line (see {@code -h}), and turns its end into the
 * exit status a build can rely on: 0 when every test ran and none saw a forbidden outcome or
 * failed, 1 otherwise. jcstress throws when a test fails, but returns quietly when it finds no
 * test or no way to schedule them; here both are failures too.
 */
public final class Jcstress {

    /** Every test has two actors: jcstress runs none of them with fewer CPUs, and says so only in passing. */
    private static final int ACTORS = 2;

    private Jcstress() {
    }

    /**
     * Runs jcstress.
     *
     * @param args jcstress's options, e.g. {@code -m quick -t ServerCompleteVsAbort}
     */
    public static void main(String[] args) {
        try (InputStream tests = Jcstress.class.getResourceAsStream("/META-INF/TestList")) {
            if (tests == null || tests.readAllBytes().length == 0) {
                fail("no jcstress tests on the class path: did the annotation processor run?");
            }
        }
        catch (IOException e) {
            fail("the list of jcstress tests could not be read: " + e);
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < ACTORS) {
            fail("the tests need " + ACTORS + " CPUs, one for each actor; this machine has " + cpus);
        }
        try {
            Main.main(args);
        }
        catch (Throwable t) {
            // A forbidden outcome, a test's exception, a crashed or hung fork: jcstress's report says which.
            t.printStackTrace();
            System.exit(1);
        }
        // jcstress's threads would not stop a fail, but may outlive a pass.
        System.exit(0);
    }

    private static void fail(String why) {
        System.err.println("jcstress: " + why);
        System.exit(1);
    }
}
