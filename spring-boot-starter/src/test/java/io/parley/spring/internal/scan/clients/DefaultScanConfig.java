package io.parley.spring.internal.scan.clients;

import io.parley.spring.EnableParleyClients;

/** {@code @EnableParleyClients} without attributes: its own package is scanned. */
@EnableParleyClients
public class DefaultScanConfig {
}
