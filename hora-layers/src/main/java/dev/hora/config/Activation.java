package dev.hora.config;

/** Nonlinearity of HoRA's shared hidden layer {@code u = act(z W1 + b1)}; docs/METHOD.md default TANH. */
public enum Activation {
    TANH, RELU, GELU, SIGMOID, IDENTITY
}
