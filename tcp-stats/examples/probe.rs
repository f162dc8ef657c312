fn main() {
    use statrs::function::gamma::ln_gamma;
    for z in [0.5, 1.5, 3.5, 7.0, 9.99, 15.0, 100.5] {
        println!("{z} {:.17e}", ln_gamma(z));
    }
}
