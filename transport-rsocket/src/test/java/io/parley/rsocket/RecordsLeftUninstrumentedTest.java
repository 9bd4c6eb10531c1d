package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Jazzer 0.24.0 breaks a record whose components carry type annotations when it instruments it
 * for fuzzing (see the root pom's {@code parley.fuzz.instrumentationExcludes}): every such record
 * of Parley's, main and test code, core and this module, is on the list of classes the fuzzing
 * JVMs leave uninstrumented, and nothing else is.
 */
class RecordsLeftUninstrumentedTest {

    private static final String EXCLUDES = "parley.fuzz.instrumentationExcludes";

    @Test
    void everyRecordWithTypeAnnotatedComponents_isExcludedFromFuzzingInstrumentation() throws Exception {
        String excludes = System.getProperty(EXCLUDES);
        assertThat(excludes).as("the system property " + EXCLUDES + " the build gives every test JVM").isNotBlank();

        Set<String> annotatedRecords = new TreeSet<>();
        for (String name : parleyClasses()) {
            Class<?> type = Class.forName(name, false, getClass().getClassLoader());
            if (type.isRecord() && Arrays.stream(type.getRecordComponents()).anyMatch(RecordsLeftUninstrumentedTest::annotated)) {
                annotatedRecords.add(name);
            }
        }

        // The one the check must find, or it looked in the wrong place.
        assertThat(annotatedRecords).as("records with type-annotated components").contains("io.parley.core.transport.RpcRequest");
        assertThat(new TreeSet<>(Arrays.asList(excludes.split(":"))))
                .as("parley.fuzz.instrumentationExcludes in the root pom")
                .isEqualTo(annotatedRecords);
    }

    private static boolean annotated(RecordComponent component) {
        return component.getAnnotatedType().getAnnotations().length > 0 || component.getAnnotations().length > 0;
    }

    /** Every class under io.parley on the class path: directories of class files and jars alike. */
    private static List<String> parleyClasses() throws IOException, URISyntaxException {
        Set<String> names = new TreeSet<>();
        Enumeration<URL> roots = RecordsLeftUninstrumentedTest.class.getClassLoader().getResources("io/parley");
        for (URL root : Collections.list(roots)) {
            if ("file".equals(root.getProtocol())) {
                Path dir = Paths.get(root.toURI());
                Path base = dir.getParent().getParent();
                try (Stream<Path> files = Files.walk(dir)) {
                    files.filter(f -> f.toString().endsWith(".class"))
                            .forEach(f -> names.add(className(base.relativize(f).toString().replace('\\', '/'))));
                }
            }
            else if ("jar".equals(root.getProtocol())) {
                JarURLConnection connection = (JarURLConnection) root.openConnection();
                // A JarFile of its own: the cached one is the class loader's, not this test's to close.
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    for (JarEntry entry : Collections.list(jar.entries())) {
                        if (entry.getName().startsWith("io/parley/") && entry.getName().endsWith(".class")) {
                            names.add(className(entry.getName()));
                        }
                    }
                }
            }
        }
        names.removeIf(n -> n.endsWith("package-info") || n.endsWith("module-info"));
        return List.copyOf(names);
    }

    private static String className(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.');
    }
}
