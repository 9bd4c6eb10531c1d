package io.parley.spring.internal.scan.broken;

import java.util.List;

import io.parley.spring.ParleyStub;

@ParleyStub
public interface Broken {

    List<String> many(String text);
}
