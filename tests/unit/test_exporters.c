#include "ft_test.h"
int main(void) { return ft_test_report("test_exporters"); }
