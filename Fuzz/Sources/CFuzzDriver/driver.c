// The declaration of LLVMFuzzerRunDriver is all this target holds; libFuzzer defines it.
#include "CFuzzDriver.h"
