package dev.hora.config;

/**
 * Initialisation of HoRA's per-target output layer W2A.
 * <ul>
 *   <li>LORA_SCALED (default): Xavier-uniform, then rescaled once so that the generated A factors
 *       have LoRA's Kaiming-uniform standard deviation {@code 1/sqrt(3 d_in)}.</li>
 *   <li>XAVIER: plain Xavier-uniform (generated factors are ~6x larger than LoRA's).</li>
 * </ul>
 */
public enum HoraInit {
    LORA_SCALED, XAVIER
}
