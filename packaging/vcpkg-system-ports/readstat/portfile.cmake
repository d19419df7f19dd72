# Stand-in port for ReadStat (https://github.com/WizardMac/ReadStat), which
# the vcpkg registry does not have. It installs nothing: a port that depends
# on it (cxmetrics[readstat]) then finds the ReadStat of the system, which
# must be installed beforehand (Debian: apt-get install libreadstat-dev; or
# upstream's `./configure && make install`). cxmetrics finds it with its
# FindReadStat.cmake, so a missing ReadStat fails cxmetrics' configure step
# with a message naming readstat.h and libreadstat.
#
# The same pattern serves any other dependency that has to come from the
# system (an offline or vetted machine): a directory named like the port,
# with a vcpkg.json of that name and this portfile, passed to vcpkg with
# --overlay-ports ahead of the registry.
set(VCPKG_POLICY_EMPTY_PACKAGE enabled)
