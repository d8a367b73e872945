function mpc = three_bus
% A three-bus feeder: the base of the malformed MATPOWER cases.
mpc.version = '2';
mpc.baseMVA = 1;

%	bus_i	type	Pd	Qd	Gs	Bs	area	Vm	Va	baseKV	zone	Vmax	Vmin
mpc.bus = [
	1	3	0	0	0	0	1	1	0	4.16	1	1.05	0.95;
	2	1	0.1	0.05	0	0	1	1	0	4.16	1	1.05	0.95;
	3	1	0.2	0.1x	0	0	1	1	0	4.16	1	1.05	0.95;
];

%	bus	Pg	Qg	Qmax	Qmin	Vg	mBase	status	Pmax	Pmin
mpc.gen = [
	1	0	0	10	-10	1	1	1	10	0;
];

%	fbus	tbus	r	x	b	rateA	rateB	rateC	ratio	angle	status	angmin	angmax
mpc.branch = [
	1	2	0.01	0.02	0	0	0	0	0	0	1	-360	360;
	2	3	0.01	0.02	0	0	0	0	0	0	1	-360	360;
];
