package io.parley.spring.internal.scan.stubs;

import io.parley.spring.EnableParleyStubs;

/** {@code @EnableParleyStubs} without attributes: its own package is scanned. */
@EnableParleyStubs
public class DefaultScanConfig {
}
