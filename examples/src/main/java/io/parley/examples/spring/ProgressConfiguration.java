package io.parley.examples.spring;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.parley.core.server.ServerMethod;
import io.parley.examples.progress.Job;
import io.parley.examples.progress.Progress;
import io.parley.examples.progress.ProgressJob;

/**
 * Serves {@link ProgressJob}'s stream on this application's Parley server. A {@link ServerMethod}
 * bean is served beside the {@code @ParleyService} methods, in any of its shapes: here a server
 * stream in the MS-RPC style. How each stream ended is logged.
 */
@Configuration(proxyBeanMethods = false)
public class ProgressConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ProgressConfiguration.class);

    @Bean
    ProgressJob progressJob() {
        ProgressJob job = new ProgressJob();
        job.outcomes()
            .subscribe((outcome) -> log.info("call {}: progress ended after {} steps, {} reported "
                    + "(testCancel() = {}, complete(summary) = {})", outcome.callId(), outcome.stepsDone(),
                    outcome.reported(), outcome.testCancel().name(), outcome.ended().name()));
        return job;
    }

    @Bean
    ServerMethod<Job, Progress> progressMethod(ProgressJob progressJob) {
        return progressJob.method();
    }
}
