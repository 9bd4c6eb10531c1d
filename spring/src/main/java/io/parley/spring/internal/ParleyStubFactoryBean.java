package io.parley.spring.internal;

import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.FactoryBean;

import io.parley.core.client.ParleyClient;

/**
 * Makes one {@link io.parley.spring.ParleyStub @ParleyStub} interface into a bean. The
 * {@link ParleyClient} it calls through is looked up when the interface is
 * first injected or asked for, not at registration or at startup: by name if one is set, else the
 * application's single or primary one. An application that declares client interfaces it never
 * uses therefore needs no client bean.
 *
 * @param <T> the client interface
 */
public final class ParleyStubFactoryBean<T> implements FactoryBean<T>, BeanFactoryAware {

    private final Class<T> clientInterface;
    private @Nullable String clientBeanName;
    private @Nullable BeanFactory beanFactory;

    /**
     * Creates a factory for one client interface.
     *
     * @param clientInterface the interface
     */
    public ParleyStubFactoryBean(Class<T> clientInterface) {
        this.clientInterface = Objects.requireNonNull(clientInterface, "clientInterface");
    }

    /**
     * Sets the name of the {@link ParleyClient} bean to call through.
     *
     * @param clientBeanName the bean name; {@code null} or empty for the single or primary one
     */
    public void setClientBeanName(@Nullable String clientBeanName) {
        this.clientBeanName = clientBeanName == null || clientBeanName.isEmpty() ? null : clientBeanName;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public T getObject() {
        BeanFactory factory = beanFactory;
        if (factory == null) {
            throw new IllegalStateException("no BeanFactory set on the factory of @ParleyStub " + clientInterface.getName());
        }
        String name = clientBeanName;
        ParleyClient client = name != null
                ? factory.getBean(name, ParleyClient.class)
                : factory.getBeanProvider(ParleyClient.class).getObject();
        return ParleyStubProxies.create(clientInterface, client);
    }

    @Override
    public Class<T> getObjectType() {
        return clientInterface;
    }

    @Override
    public boolean isSingleton() {
        return true;
    }

    @Override
    public String toString() {
        return "ParleyStubFactoryBean{" + clientInterface.getName() + (clientBeanName != null ? ", client=" + clientBeanName : "") + "}";
    }
}
