// The owner object: builds, starts and stops every part of the daemon.
#include "app/app.hpp"
