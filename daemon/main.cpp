// opeld: the daemon's entry point (placeholder).
int main() { return 0; }
